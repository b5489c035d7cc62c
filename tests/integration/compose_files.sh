#!/usr/bin/env bash
# Static checks of the compose files and Dockerfiles (check_compose.py);
# docker_images.sh builds and runs the images for real.
exec /usr/bin/python3 "$(dirname "$0")/check_compose.py"
