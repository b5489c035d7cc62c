#!/usr/bin/env Rscript
# convert-natural-earth.R: turns the Natural Earth 1:110m countries layer
# shipped in Debian's r-cran-rnaturalearthdata (an sp SpatialPolygonsDataFrame
# in an R lazy-load database) into frontend/data/world-110m.svgpath, the
# compact SVG path data the frontend compiles into its binary.
#
# Run once, by hand; neither the build nor the frontend needs R:
#   apt-get install --no-install-recommends r-base-core r-cran-rnaturalearthdata
#   Rscript frontend/tools/convert-natural-earth.R > frontend/data/world-110m.svgpath
# (r-cran-rnaturalearthdata pulls in r-cran-sp; these are one-off tools, not
# in scripts/deps.sh.)
#
# Output: one line per polygon ring, "M<x> <y>l<dx> <dy>...z", in integer
# tenths of a degree, equirectangular: x = round(10 * longitude),
# y = round(-10 * latitude) (SVG's y grows downwards). After the first point
# the offsets are relative; points that round onto the previous one are
# dropped, and the ring's closing point is left to "z". Holes are rings too:
# draw the whole path with fill-rule="evenodd". Lines starting with '#' are
# comments.
suppressPackageStartupMessages(library(sp))
e <- new.env()
data("countries110", package = "rnaturalearthdata", envir = e)
countries <- e$countries110

num <- function(v) {
  # "12" "-3": a minus sign separates numbers, so no space is needed before it
  s <- format(v, scientific = FALSE, trim = TRUE)
  paste0(ifelse(v < 0, "", " "), s, collapse = "")
}

ring_path <- function(coords) {
  x <- round(coords[, 1] * 10)
  y <- round(-coords[, 2] * 10)
  keep <- c(TRUE, diff(x) != 0 | diff(y) != 0)
  x <- x[keep]
  y <- y[keep]
  n <- length(x)
  if (n > 1 && x[n] == x[1] && y[n] == y[1]) {
    x <- x[-n]
    y <- y[-n]
  }
  if (length(x) < 3) return(NULL)
  d <- as.vector(rbind(diff(x), diff(y)))
  paste0("M", x[1], num(y[1]), "l", sub("^ ", "", num(d)), "z")
}

version <- as.character(packageVersion("rnaturalearthdata"))
cat("# Natural Earth 1:110m admin 0 countries (public domain), from",
    "r-cran-rnaturalearthdata", version, "layer countries110;",
    "see frontend/data/ATTRIBUTION\n")
for (p in countries@polygons) {
  for (r in p@Polygons) {
    line <- ring_path(r@coords)
    if (!is.null(line)) cat(line, "\n", sep = "")
  }
}
