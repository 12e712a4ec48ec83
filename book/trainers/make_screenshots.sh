#!/bin/sh
# The screenshots of book/trainers.md (book/trainers/img/*.png), taken by Debian Chromium with Playwright
# while the authoring tests run: the question editor and the new-module panel in a real JupyterLab, the module
# and check panels in the tests' harness page.  Run from anywhere: sh book/trainers/make_screenshots.sh
set -e
cd "$(dirname "$0")/../.."
H4S_AUTHORING_SHOTS="$PWD/book/trainers/img" .venv/bin/pytest -p no:randomly -q \
    tests/test_authoring_lab.py tests/test_authoring_browser.py
