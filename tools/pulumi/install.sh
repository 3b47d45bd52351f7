#!/usr/bin/env bash
# `npm run pulumi:install`: builds the Pulumi CLI and its Node.js language host from Go modules into
# tools/pulumi/bin (gitignored), and puts the dynamic-provider plugin shim beside them. Idempotent:
# when the binaries there were built from the same wrapper modules (tools/pulumi/*/go.mod, go.sum)
# and `pulumi version` prints the expected version, it does nothing. See docs/cli.md.
#
#   PULUMI_INSTALL_FORCE=1   rebuild even when up to date
#   GOFLAGS, GOPROXY, …      passed to `go` as usual
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
BIN="$HERE/bin"
CLI_VERSION="v3.248.0"     # = the @pulumi/pulumi we pin, and tools/pulumi/cli/go.mod
LANG_VERSION="v3.68.0"     # see tools/pulumi/nodejs/go.mod: the newest release built as a package of sdk/v3
LANG_PKG="github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
CLI_PKG="github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

stamp() {
  cat "$HERE/install.sh" "$HERE/cli/go.mod" "$HERE/cli/go.sum" "$HERE/nodejs/go.mod" "$HERE/nodejs/go.sum" \
    | sha256sum | cut -d' ' -f1
}

want="$(stamp)"
if [[ -z "${PULUMI_INSTALL_FORCE:-}" && -x "$BIN/pulumi" && -x "$BIN/pulumi-language-nodejs" \
  && -x "$BIN/pulumi-resource-pulumi-nodejs" && "$(cat "$BIN/.stamp" 2>/dev/null)" == "$want" \
  && "$("$BIN/pulumi" version 2>/dev/null)" == "$CLI_VERSION" ]]; then
  echo "pulumi:install: Pulumi CLI $CLI_VERSION already built in $BIN (nothing to do)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "pulumi:install: needs Go >= 1.25 on the PATH (https://go.dev/dl/) to build the Pulumi CLI" >&2
  exit 1
fi
mkdir -p "$BIN"
rm -f "$BIN/.stamp"
echo "pulumi:install: building Pulumi CLI $CLI_VERSION and pulumi-language-nodejs $LANG_VERSION into $BIN"
echo "pulumi:install: ($(go version); the first build downloads modules and compiles for several minutes)"
started=$(date +%s)
# The version is what a release build stamps in (-X of the version variable); the rest is a plain build.
(cd "$HERE/cli" && go build -ldflags "-X $VERSION_VAR=$CLI_VERSION" -o "$BIN/pulumi" "$CLI_PKG")
(cd "$HERE/nodejs" && go build -ldflags "-X $VERSION_VAR=$LANG_VERSION" \
  -o "$BIN/pulumi-language-nodejs" "$LANG_PKG")
# The dynamic-provider plugin is a shell script shipped in @pulumi/pulumi (the CLI's release archives
# carry the same file next to `pulumi`). It resolves @pulumi/pulumi from the project directory.
SHIM="$HERE/../../node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [[ ! -f "$SHIM" ]]; then
  echo "pulumi:install: $SHIM is missing: run npm ci first" >&2
  exit 1
fi
install -m 0755 "$SHIM" "$BIN/pulumi-resource-pulumi-nodejs"
got="$("$BIN/pulumi" version)"
if [[ "$got" != "$CLI_VERSION" ]]; then
  echo "pulumi:install: built pulumi reports version '$got', expected $CLI_VERSION" >&2
  exit 1
fi
echo "$want" >"$BIN/.stamp"
echo "pulumi:install: done in $(($(date +%s) - started))s: $BIN/pulumi ($got)"
echo "pulumi:install: to use it yourself: export PATH=\"$BIN:\$PATH\""
