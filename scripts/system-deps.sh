#!/usr/bin/env bash
# Install the system packages Qalxan's full test suite uses (Debian): PostgreSQL for the
# production store, Chromium for the browser tests, fonts for readable screenshots, poppler
# for reading the assessment PDF.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
# The client package alone also creates /usr/lib/postgresql/N: look for the server binary.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
command -v pg_ctlcluster >/dev/null || need+=(postgresql-common)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
# pdftotext and pdftoppm: the tests read every page of the assessment PDF.
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
