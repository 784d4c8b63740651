#!/bin/sh
# A vault password script, as `--vault-password-file` runs one (an executable: play uses what it
# prints). This one prints the lab's example password, inventories/lab-vault.pass: LAB ONLY, public
# on purpose. A real one asks a password manager (e.g. `pass show ansible/vault`).
exec cat "$(dirname "$0")/lab-vault.pass"
