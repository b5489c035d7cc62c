/* SPDX-License-Identifier: Apache-2.0
 *
 * page_assets.c: what every page of the viewer shares: the stylesheet and
 * the small script (our own, served from the binary at /static/: there is
 * no internet at a workshop venue, so no CDN), the page head with the
 * navigation, and the foot. The script does only what HTML cannot: live
 * refresh of a page's list (fetching the same page's server-rendered,
 * server-escaped fragment), span selection, collapsing and search on the
 * trace page (?q=TEXT searches and ?collapse=ID,ID collapses at load, so
 * a view can be linked). It never builds markup from telemetry strings.
 */
#include "viewer.h"

#include <string.h>

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}\n"
    "nav{background:#2e3436;padding:6px 12px}nav a{color:#eee;margin-right:14px;"
    "text-decoration:none}nav a.on{font-weight:bold;color:#fff;border-bottom:2px solid #34e2e2}\n"
    "main{padding:10px 14px}h1{font-size:18px;margin:4px 0 10px}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #e4e4e4;vertical-align:top}\n"
    "th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "form.filters{margin:0 0 10px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}\n"
    "form.filters input[type=text]{width:11em}\n"
    ".chip{display:inline-block;padding:0 6px;margin:1px 2px;border-radius:8px;color:#fff;"
    "font-size:12px}\n"
    ".err{display:inline-block;padding:0 5px;border-radius:3px;background:#cc0000;color:#fff;"
    "font-size:12px;font-weight:bold}\n"
    ".mono{font-family:ui-monospace,monospace;font-size:12px}\n"
    ".wrap{display:flex;gap:14px;align-items:flex-start}.wf{flex:1 1 auto;overflow-x:auto}\n"
    ".panel{flex:0 0 400px;background:#fff;border:1px solid #ddd;padding:8px;"
    "max-height:85vh;overflow:auto}\n"
    ".detail{display:none}.detail.on{display:block}.detail h2{font-size:15px;margin:2px 0 6px}\n"
    ".detail h3{font-size:13px;margin:10px 0 3px}pre{white-space:pre-wrap;margin:2px 0}\n"
    ".legend span{margin-right:12px}.sw{display:inline-block;width:12px;height:12px;"
    "vertical-align:middle;margin-right:4px;border-radius:2px}\n"
    "svg text{font:12px system-ui,sans-serif}svg .row{cursor:pointer}\n"
    "svg .row.sel rect.bg{fill:#dbeefe}svg .row.miss{opacity:.25}"
    "svg .row.hit rect.bg{fill:#fff3b0}\n"
    "svg rect.bar.crit{stroke:#000;stroke-width:2}svg rect.bar.error{stroke:#cc0000;"
    "stroke-width:2;stroke-dasharray:3 2}\n"
    "svg .tog{cursor:pointer;fill:#555}.sev-error,.sev-fatal{color:#cc0000;font-weight:bold}"
    ".sev-warn{color:#a36b00;font-weight:bold}\n"
    "a{color:#1a5fb4}.charts{display:flex;flex-wrap:wrap;gap:12px}"
    ".chart{background:#fff;border:1px solid #ddd;padding:6px;width:460px}"
    ".chart .mono{display:block;word-break:break-all;color:#555}\n";

static const char js[] =
    "// viewer.js: live refresh, span selection, collapsing and search.\n"
    "(function(){\n"
    "'use strict';\n"
    "var live=document.querySelector('[data-live]');\n"
    "if(live){setInterval(function(){\n"
    "  var p=document.getElementById('pause');if(p&&p.checked)return;\n"
    "  fetch(live.getAttribute('data-live')).then(function(r){return r.ok?r.text():null;})\n"
    "  .then(function(t){if(t!==null)live.innerHTML=t;}).catch(function(){});\n"
    "},2000);}\n"
    "var svg=document.getElementById('waterfall');if(!svg)return;\n"
    "var ROW=+svg.getAttribute('data-row'),TOP=+svg.getAttribute('data-top');\n"
    "var rows=Array.prototype.slice.call(svg.querySelectorAll('g.row'));\n"
    "function layout(){var y=TOP;rows.forEach(function(r){\n"
    "  if(r.getAttribute('data-hidden')){r.style.display='none';return;}\n"
    "  r.style.display='';r.setAttribute('transform','translate(0,'+y+')');y+=ROW;});\n"
    "  svg.setAttribute('height',y+4);}\n"
    "function select(id){rows.forEach(function(r){\n"
    "  r.classList.toggle('sel',r.getAttribute('data-span')===id);});\n"
    "  document.querySelectorAll('.detail').forEach(function(d){\n"
    "  d.classList.toggle('on',d.id==='d-'+id);});}\n"
    "function collapse(row){var path=row.getAttribute('data-path')+'/';\n"
    "  var shut=!row.getAttribute('data-shut');\n"
    "  if(shut)row.setAttribute('data-shut','1');else row.removeAttribute('data-shut');\n"
    "  var t=row.querySelector('.tog');if(t)t.textContent=shut?'\\u25b8':'\\u25be';\n"
    "  rows.forEach(function(r){if(r.getAttribute('data-path').indexOf(path)!==0)return;\n"
    "  if(shut)r.setAttribute('data-hidden','1');else r.removeAttribute('data-hidden');});\n"
    "  layout();}\n"
    "rows.forEach(function(r){r.addEventListener('click',function(ev){\n"
    "  if(ev.target.classList.contains('tog')){collapse(r);return;}\n"
    "  var id=r.getAttribute('data-span');select(id);\n"
    "  var u=new URL(location.href);u.searchParams.set('span',id);history.replaceState(null,'',u);});});\n"
    "var q=document.getElementById('q');\n"
    "function search(){var v=q.value.toLowerCase();\n"
    "  rows.forEach(function(r){var hit=v&&r.getAttribute('data-text').indexOf(v)>=0;\n"
    "  r.classList.toggle('hit',!!hit);r.classList.toggle('miss',!!v&&!hit);});}\n"
    "if(q)q.addEventListener('input',search);\n"
    "var args=new URL(location.href).searchParams,want=args.get('span');\n"
    "if(want)select(want);else if(rows.length)select(rows[0].getAttribute('data-span'));\n"
    "if(q&&args.get('q')){q.value=args.get('q');search();}\n"
    "(args.get('collapse')||'').split(',').forEach(function(id){rows.forEach(function(r){\n"
    "  if(id&&r.getAttribute('data-span')===id)collapse(r);});});\n"
    "layout();svg.setAttribute('data-ready','1');\n"
    "})();\n";

const char *vw_asset(const char *path, const char **content_type) {
  if (strcmp(path, "/static/viewer.css") == 0) {
    *content_type = "text/css; charset=utf-8";
    return css;
  }
  if (strcmp(path, "/static/viewer.js") == 0) {
    *content_type = "text/javascript; charset=utf-8";
    return js;
  }
  return NULL;
}

void vw_page_head(vw_buf_t *b, const char *title, const char *active) {
  static const char *const nav[][2] = {{"/", "Traces"}, {"/logs", "Logs"}, {"/charts", "Charts"},
                                          {"/map", "Service map"}};
  vw_buf_put(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>");
  vw_html_text(b, title);
  vw_buf_put(b, " - otel-viewer</title><link rel=\"stylesheet\" href=\"/static/viewer.css\">"
                "</head>\n<body><nav>");
  for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++)
    vw_buf_printf(b, "<a href=\"%s\"%s>%s</a>", nav[i][0],
                  strcmp(active, nav[i][0]) == 0 ? " class=\"on\"" : "", nav[i][1]);
  vw_buf_put(b, "</nav>\n<main>\n");
}

void vw_page_foot(vw_buf_t *b) {
  vw_buf_put(b, "</main>\n<script src=\"/static/viewer.js\"></script>\n</body></html>\n");
}
