#!/bin/sh
# tests/suites/deploy.sh BUILD_DIR — edge deployment, for real where the
# tools exist (each missing tool prints a SKIPPED line saying which):
#   registry   push/pull/up --from against Debian's docker-registry on
#              loopback: layout, digests, tampering, bad refs, --insecure
#   auth       htpasswd basic auth behind TLS; the bearer-token flow with
#              tests/deploy/token_server.py
#   charts     helm lint --strict, helm template → kubernetes-models
#              validators + strict typed decoding (kubectl set image --local)
#   scaffold   anywhere kube scaffold output, validated the same way
#   image      deploy/Containerfile built with podman, inspected, ≤ 10 MB
#              compressed with only glibc and libcjson shared, run on the
#              host network (HTTP, outbound HTTPS, SIGTERM → 0), exported as an OCI layout,
#              validated; the chart's Deployment run with podman play kube;
#              the variant with the LLVM tier built, measured, run
# helm/kubectl come from tests/deploy/fetch-tools.sh (build/deploy-tools),
# the validators from tests/deploy/node (npm ci). Last line: N passed, N failed.
set -u
BUILD=${1:-${BUILD:-build}}
AW=$BUILD/anywhere
ROOT=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skip() { echo "SKIPPED: $*"; }
check() { name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
has() { printf '%s' "$1" | grep -q -- "$2"; }

[ -x "$AW" ] || { echo "deploy.sh: build first"; echo "0 passed, 1 failed"; exit 1; }
T=$(mktemp -d)
PIDS=""
PODMAN_ROOT=$ROOT/build/podman
export CONTAINERS_CONF=$ROOT/tests/deploy/containers.conf
P="podman --root $PODMAN_ROOT/storage --runroot $PODMAN_ROOT/run"
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    if [ -n "${PODMAN_OK:-}" ]; then
        $P rm -f -t 0 aw-deploy-test >/dev/null 2>&1
        [ -f "$T/play.yaml" ] && $P play kube --down "$T/play.yaml" >/dev/null 2>&1
    fi
    rm -rf "$T"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # URL [tries]
    i=0; while [ $i -lt "${2:-50}" ]; do curl -s -o /dev/null "$1" && return 0; sleep 0.1; i=$((i + 1)); done; return 1
}

# ---- the test app: a module, a mounted file, an excluded one, a stray one
HELLO=$ROOT/examples/hello/hello.wasm
APP=$T/app
mkdir -p "$APP/static"
cp "$HELLO" "$APP/" 2>/dev/null || bad "examples/hello/hello.wasm missing (make app-examples)"
echo "mounted" > "$APP/static/a.txt"
echo "excluded" > "$APP/static/secret.txt"
echo "not packed" > "$APP/notes.txt"
cat > "$APP/spin.toml" <<'TOML'
spin_manifest_version = 2
[application]
name = "deploy-test"
version = "1.0.0"
[[trigger.http]]
route = "/..."
component = "hello"
[component.hello]
source = "hello.wasm"
files = ["static/**"]
exclude_files = ["static/secret.txt"]
TOML

# ---- registry: docker-registry on loopback
REG=""
if command -v docker-registry >/dev/null && command -v python3 >/dev/null; then
    PORT=$(free_port)
    REG=127.0.0.1:$PORT
    cat > "$T/reg.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/regdata}}
http: {addr: $REG}
EOF
    docker-registry serve "$T/reg.yml" >"$T/reg.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_http "http://$REG/v2/" || bad "docker-registry did not start: $(tail -3 "$T/reg.log")"
else
    skip "registry tests: docker-registry (apt-get install docker-registry) or python3 not installed"
fi

if [ -n "$REG" ]; then
    export SOURCE_DATE_EPOCH=1700000000
    out=$("$AW" registry push "$APP" "$REG/apps/deploy-test:v1" --insecure 2>&1)
    check "push: $out" has "$out" "Digest: sha256:"
    DIGEST=$(printf '%s' "$out" | sed -n 's/^Digest: //p')
    out2=$("$AW" registry push -q "$APP" "$REG/apps/deploy-test:v1" --insecure 2>&1)
    check "push is reproducible with SOURCE_DATE_EPOCH ($out2 vs $DIGEST)" [ "$out2" = "$DIGEST" ]
    # The layout, read back with curl: the documented media types.
    m=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/apps/deploy-test/manifests/v1")
    check "manifest: wasm config media type" has "$m" '"config":{"mediaType":"application/vnd.wasm.config.v0+json"'
    check "manifest: application/wasm layer" has "$m" '"mediaType":"application/wasm","digest":"sha256:[0-9a-f]*","size":[0-9]*,"annotations":{"org.opencontainers.image.title":"hello.wasm"}'
    check "manifest: spin.toml layer" has "$m" 'application/vnd.anywhere.spin.manifest.v2+toml'
    check "manifest: data layer for static/a.txt" has "$m" '"application/vnd.wasm.content.layer.v1+data".*"static/a.txt"'
    check "manifest: excluded and unmounted files not packed" sh -c "! printf '%s' '$m' | grep -q -e secret.txt -e notes.txt"
    got=$(printf '%s' "$m" | sha256sum | cut -d' ' -f1)
    check "manifest digest matches push output" [ "sha256:$got" = "$DIGEST" ]
    # Pull (by tag, then by digest) and compare.
    out=$("$AW" registry pull "$REG/apps/deploy-test:v1" -o "$T/pulled" --insecure 2>&1)
    check "pull: $out" has "$out" "Digest: $DIGEST"
    check "pull: hello.wasm identical" cmp -s "$HELLO" "$T/pulled/hello.wasm"
    check "pull: spin.toml identical" cmp -s "$APP/spin.toml" "$T/pulled/spin.toml"
    check "pull: static/a.txt identical" cmp -s "$APP/static/a.txt" "$T/pulled/static/a.txt"
    check "pull: nothing else" [ ! -e "$T/pulled/static/secret.txt" ] && [ ! -e "$T/pulled/notes.txt" ]
    out=$("$AW" registry pull -q "$REG/apps/deploy-test@$DIGEST" -o "$T/pulled2" --insecure 2>&1)
    check "pull by digest: $out" [ "$out" = "$DIGEST" ]
    # A peer reads it: skopeo copies the artifact into an OCI layout.
    if command -v skopeo >/dev/null; then
        skopeo copy -q --src-tls-verify=false "docker://$REG/apps/deploy-test:v1" "oci:$T/peer:v1" >/dev/null 2>&1
        h=$(sha256sum "$HELLO" | cut -d' ' -f1)
        check "skopeo copies the artifact, module blob intact" cmp -s "$HELLO" "$T/peer/blobs/sha256/$h"
    else
        skip "skopeo cross-check: skopeo not installed"
    fi
    # Errors: not found, bad reference, --insecure off loopback, plain HTTP without --insecure.
    out=$("$AW" registry pull "$REG/apps/nope:v1" -o "$T/x" --insecure 2>&1)
    check "pull missing: $out" has "$out" "not found"
    out=$("$AW" registry pull "$REG/Apps/UPPER" --insecure 2>&1)
    check "bad ref: $out" has "$out" "not a valid reference"
    out=$("$AW" registry push -q "$APP" "registry.example.com/a:v1" --insecure 2>&1)
    check "--insecure off loopback refused: $out" has "$out" "only allowed for a registry on loopback"
    out=$("$AW" registry pull "$REG/apps/deploy-test:v1" -o "$T/x" 2>&1)
    check "TLS to a plain-HTTP registry fails clearly: $out" has "$out" "TLS"
    # Tampering: change the stored module blob; the pull must refuse it.
    h=$(sha256sum "$HELLO" | cut -d' ' -f1)
    blob=$(find "$T/regdata" -path "*/blobs/sha256/*/$h/data" | head -n 1)
    if [ -n "$blob" ]; then
        cp "$blob" "$T/blob.orig"
        printf 'tampered' >> "$blob"
        out=$("$AW" registry pull "$REG/apps/deploy-test:v1" -o "$T/tampered" --insecure 2>&1)
        check "tampered blob detected: $out" has "$out" "digest mismatch"
        cp "$T/blob.orig" "$blob"
    else
        bad "tamper: blob $h not found in registry storage"
    fi
    # anywhere up --from REF: pulls into the cache, verifies, serves.
    if "$AW" up --help 2>&1 | grep -q 'REF'; then
        UP=$(free_port)
        ANYWHERE_CACHE_DIR=$T/cache "$AW" up --from "$REG/apps/deploy-test:v1" --insecure --listen "127.0.0.1:$UP" \
            >"$T/up.log" 2>&1 &
        UPPID=$!; PIDS="$PIDS $UPPID"
        wait_http "http://127.0.0.1:$UP/.well-known/spin/health" 100
        body=$(curl -s "http://127.0.0.1:$UP/")
        check "up --from REF answers: $body $(tail -3 "$T/up.log")" [ "$body" = "Hello from Anywhere!" ]
        kill -TERM $UPPID; wait $UPPID; rc=$?
        check "up --from: SIGTERM exits 0 (rc $rc)" [ $rc -eq 0 ]
        check "up --from: cached under the manifest digest" [ -f "$T/cache/sha256-${DIGEST#sha256:}/hello.wasm" ]
        # A digest-pinned ref in the cache starts with the registry gone.
        out=$(ANYWHERE_CACHE_DIR=$T/cache "$AW" up --from "127.0.0.1:1/apps/deploy-test@$DIGEST" --insecure --check 2>&1)
        check "up --from cached digest works offline: $out" has "$out" "OK"
    else
        skip "up --from REF: this build's anywhere up has no registry support"
    fi
fi

# ---- auth: htpasswd behind TLS, and the bearer-token flow
if [ -n "$REG" ] && command -v htpasswd >/dev/null && command -v openssl >/dev/null; then
    htpasswd -Bbn alice s3cret > "$T/htpasswd" 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=127.0.0.1 \
        -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
    AP=$(free_port)
    cat > "$T/auth.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/regdata2}}
http: {addr: 127.0.0.1:$AP, tls: {certificate: $T/cert.pem, key: $T/key.pem}}
auth: {htpasswd: {realm: test, path: $T/htpasswd}}
EOF
    docker-registry serve "$T/auth.yml" >"$T/reg2.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_http "https://127.0.0.1:$AP/v2/" || true
    curl -sk -o /dev/null "https://127.0.0.1:$AP/v2/"
    R=127.0.0.1:$AP/apps/secure:v1
    out=$("$AW" registry push -q "$APP" "$R" 2>&1)
    check "TLS: untrusted certificate reported: $out" has "$out" "certificate not trusted"
    out=$("$AW" registry push -q "$APP" "$R" --ca-file "$T/cert.pem" 2>&1)
    check "basic: no credentials reported: $out" has "$out" "requires a login"
    out=$(ANYWHERE_REGISTRY_USERNAME=alice ANYWHERE_REGISTRY_PASSWORD=nope "$AW" registry push -q "$APP" "$R" --ca-file "$T/cert.pem" 2>&1)
    check "basic: wrong password reported: $out" has "$out" "authentication failed: wrong username or password"
    out=$(echo s3cret | SSL_CERT_FILE=$T/cert.pem "$AW" registry push -q "$APP" "$R" -u alice --password-stdin 2>&1)
    check "basic over TLS: push: $out" has "$out" "^sha256:"
    mkdir -p "$T/dockercfg"
    printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$AP" "$(printf alice:s3cret | base64)" > "$T/dockercfg/config.json"
    out=$(DOCKER_CONFIG=$T/dockercfg "$AW" registry pull -q "$R" -o "$T/secure" --ca-file "$T/cert.pem" 2>&1)
    check "basic over TLS: pull with a docker config.json: $out" cmp -s "$HELLO" "$T/secure/hello.wasm"
    # Bearer: the registry delegates to a token server that signs JWTs.
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tokkey.pem" -out "$T/tokcert.pem" -days 2 \
        -subj /CN=token-issuer >/dev/null 2>&1
    TP=$(free_port); BP=$(free_port)
    python3 "$ROOT/tests/deploy/token_server.py" "$TP" bob pw "$T/tokkey.pem" "$T/tokcert.pem" test-issuer test-registry \
        >"$T/tok.log" 2>&1 &
    PIDS="$PIDS $!"
    cat > "$T/tok.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $T/regdata3}}
http: {addr: 127.0.0.1:$BP}
auth: {token: {realm: "http://127.0.0.1:$TP/token", service: test-registry, issuer: test-issuer, rootcertbundle: $T/tokcert.pem}}
EOF
    docker-registry serve "$T/tok.yml" >"$T/reg3.log" 2>&1 &
    PIDS="$PIDS $!"
    wait_http "http://127.0.0.1:$BP/v2/" || true
    wait_http "http://127.0.0.1:$TP/" || true
    R=127.0.0.1:$BP/apps/bearer:v1
    out=$("$AW" registry push -q "$APP" "$R" --insecure 2>&1)
    check "bearer: no credentials reported: $out" has "$out" "login required"
    out=$(ANYWHERE_REGISTRY_USERNAME=bob ANYWHERE_REGISTRY_PASSWORD=pw "$AW" registry push -q "$APP" "$R" --insecure 2>&1)
    check "bearer: push with a token: $out $(tail -2 "$T/reg3.log")" has "$out" "^sha256:"
    out=$(ANYWHERE_REGISTRY_USERNAME=bob ANYWHERE_REGISTRY_PASSWORD=no "$AW" registry pull -q "$R" -o "$T/b" --insecure 2>&1)
    check "bearer: wrong password reported: $out" has "$out" "wrong username or password"
    out=$(ANYWHERE_REGISTRY_USERNAME=bob ANYWHERE_REGISTRY_PASSWORD=pw "$AW" registry pull -q "$R" -o "$T/b" --insecure 2>&1)
    check "bearer: pull with a token: $out" cmp -s "$HELLO" "$T/b/hello.wasm"
else
    skip "auth tests: docker-registry, htpasswd (apache2-utils) or openssl not installed"
fi

# ---- charts and scaffold: helm lint/template, schema validators, strict decoding
TOOLS=${DEPLOY_TOOLS:-$ROOT/build/deploy-tools/bin}
HELM=$TOOLS/helm
KUBECTL=$TOOLS/kubectl
NODEV=$ROOT/tests/deploy/node
validate() { # FILE: kubernetes-models validators, then kubectl's typed decoding, one document at a time
    if [ -d "$NODEV/node_modules" ]; then
        out=$(node "$NODEV/validate.mjs" "$1" 2>&1)
        check "schema-valid $1: $out" [ $? -eq 0 ]
    fi
    if [ -x "$KUBECTL" ]; then
        # set image decodes into typed objects (type errors fail); kinds without
        # a pod template then say so, which is not a decoding error.
        out=$("$KUBECTL" set image --local -f "$1" '*=probe:1' -o name 2>&1)
        check "strictly decoded $1: $out" sh -c "! printf '%s' \"\$1\" | grep -qi -e 'unable to decode' -e 'error parsing' -e 'unknown field' -e 'cannot unmarshal' -e 'strict decoding'" _ "$out"
    fi
}
[ -x "$HELM" ] || skip "helm lint/template: helm not installed (tests/deploy/fetch-tools.sh puts it in build/deploy-tools/bin)"
[ -x "$KUBECTL" ] || skip "strict decoding: kubectl not installed (tests/deploy/fetch-tools.sh)"
[ -d "$NODEV/node_modules" ] || skip "schema validation: npm ci in tests/deploy/node not run (tests/deploy/fetch-tools.sh)"
C=$ROOT/deploy/helm
if [ -x "$HELM" ]; then
    out=$("$HELM" lint --strict "$C/anywhere" --set app.ref=registry.example.com/apps/hello:v1 2>&1)
    check "helm lint --strict anywhere: $out" [ $? -eq 0 ]
    out=$("$HELM" lint --strict "$C/anywhere-model" --set modelVolume.persistentVolumeClaim=models 2>&1)
    check "helm lint --strict anywhere-model: $out" [ $? -eq 0 ]
    out=$("$HELM" template t "$C/anywhere" 2>&1)
    check "chart: app.ref required: $out" has "$out" "app.ref is required"
    out=$("$HELM" template t "$C/anywhere" --set app.ref=r.example/a:1 --set replicaCount=-1 2>&1)
    check "schema rejects replicaCount=-1" has "$out" "replicaCount"
    out=$("$HELM" template t "$C/anywhere" --set app.ref=r.example/a:1 --set nosuchvalue=1 2>&1)
    check "schema rejects unknown values" has "$out" "nosuchvalue"
    "$HELM" template edge "$C/anywhere" --kube-version 1.30.0 --set app.ref=registry.example.com/apps/hello:v1 \
        > "$T/chart-default.yaml" 2>&1 || bad "helm template (defaults): $(cat "$T/chart-default.yaml")"
    "$HELM" template edge "$C/anywhere" --kube-version 1.30.0 --set app.ref=registry.example.com/apps/hello:v1 \
        --set autoscaling.enabled=true --set app.variables.greeting=hi \
        --set app.runtimeConfig.inline='[llm_compute]
type = "remote_http"' --set app.registryAuthSecret=regcred \
        --set 'app.variablesFrom[0].name=api_key' --set 'app.variablesFrom[0].secretKeyRef.name=keys' \
        --set 'app.variablesFrom[0].secretKeyRef.key=api' --set-string nodeSelector.edge=true \
        > "$T/chart-full.yaml" 2>&1 || bad "helm template (full): $(cat "$T/chart-full.yaml")"
    "$HELM" template llm "$C/anywhere-model" --kube-version 1.30.0 --set modelVolume.persistentVolumeClaim=models \
        --set gpu.enabled=true > "$T/model-gpu.yaml" 2>&1 || bad "helm template model (gpu): $(cat "$T/model-gpu.yaml")"
    "$HELM" template llm "$C/anywhere-model" --kube-version 1.30.0 --set modelVolume.hostPath=/srv/models \
        > "$T/model-cpu.yaml" 2>&1 || bad "helm template model (cpu)"
    for f in chart-default chart-full model-gpu model-cpu; do validate "$T/$f.yaml"; done
    check "chart: grace period = deadline + 5" grep -q 'terminationGracePeriodSeconds: 35' "$T/chart-default.yaml"
    check "chart: HPA when autoscaling" grep -q 'kind: HorizontalPodAutoscaler' "$T/chart-full.yaml"
    check "chart: PDB" grep -q 'kind: PodDisruptionBudget' "$T/chart-default.yaml"
    check "chart: variables as SPIN_VARIABLE_*" grep -q 'SPIN_VARIABLE_API_KEY' "$T/chart-full.yaml"
    check "model chart: nvidia.com/gpu requested" grep -q 'nvidia.com/gpu: 1' "$T/model-gpu.yaml"
    check "model chart: CPU mode has no GPU" sh -c "! grep -q nvidia.com/gpu '$T/model-cpu.yaml'"
    check "model chart: Service on 11434" grep -q 'port: 11434' "$T/model-cpu.yaml"
fi
out=$("$AW" kube scaffold --from registry.example.com/apps/hello:v1 -o "$T/scaffold.yaml" 2>&1)
check "kube scaffold: $out" [ -s "$T/scaffold.yaml" ]
"$AW" kube scaffold --from registry.example.com/apps/hello:v1 --autoscale --max-replicas 5 --namespace edge > "$T/scaffold-hpa.yaml"
check "kube scaffold --autoscale: HPA, no fixed replicas" sh -c "grep -q 'maxReplicas: 5' '$T/scaffold-hpa.yaml' && ! grep -q '^  replicas:' '$T/scaffold-hpa.yaml'"
out=$("$AW" kube scaffold --from registry.example.com/apps/Bad_Name:v1 2>&1)
check "kube scaffold: bad ref reported: $out" has "$out" "not a valid reference"
out=$("$AW" kube scaffold --from registry.example.com/a:v1 --replicas x 2>&1)
check "kube scaffold: bad number reported" has "$out" "whole number"
validate "$T/scaffold.yaml"
validate "$T/scaffold-hpa.yaml"

# ---- the image: podman build, inspect, run, SIGTERM, OCI layout; play kube
PODMAN_OK=""
if ! command -v podman >/dev/null; then
    skip "image tests: podman not installed (apt-get install podman runc skopeo oci-image-tool)"
elif ! $P info >/dev/null 2>&1; then
    skip "image tests: podman cannot run here ($($P info 2>&1 | tail -1))"
else
    PODMAN_OK=1
fi
if [ -n "$PODMAN_OK" ]; then
    # The image's binary: its own build (no LLVM), brought up to date by make.
    make -s -j2 SAN= STATIC=1 BUILD=build/static deploy-rootfs >"$T/static.log" 2>&1 || bad "make STATIC=1 deploy-rootfs: $(tail -5 "$T/static.log")"
    IMG=localhost/anywhere-test:latest
    out=$($P build -q --network none -f deploy/Containerfile -t $IMG . 2>&1)
    check "podman build: $out" $P image exists $IMG
    user=$($P image inspect $IMG --format '{{.Config.User}}')
    check "image user is non-root ($user)" [ "$user" = "65532:65532" ]
    ep=$($P image inspect $IMG --format '{{json .Config.Entrypoint}}')
    check "image entrypoint ($ep)" [ "$ep" = '["/usr/bin/anywhere"]' ]
    out=$($P run --rm --network none --entrypoint /bin/sh $IMG -c true 2>&1)
    check "image has no shell" [ $? -ne 0 ]
    rm -rf "$T/layout"
    skopeo copy -q "containers-storage:[overlay@$PODMAN_ROOT/storage+$PODMAN_ROOT/run]$IMG" "oci:$T/layout:test" >/dev/null 2>&1
    size=$(du -sb "$T/layout/blobs" | cut -f1)
    echo "image size, compressed (gzip layers, OCI layout): $size bytes"
    check "image ≤ 10 MB compressed ($size bytes)" [ "$size" -le 10000000 ]
    # Only glibc and libcjson stay shared; libcurl, OpenSSL and the rest are linked in.
    libs=$(cd build/static/rootfs && find lib lib64 -name '*.so*' | sed 's|.*/||' | LC_ALL=C sort | tr '\n' ' ')
    check "image holds only glibc and libcjson ($libs)" [ "$libs" = "ld-linux-x86-64.so.2 libc.so.6 libcjson.so.1 libm.so.6 " ]
    if command -v oci-image-tool >/dev/null; then
        out=$(oci-image-tool validate --type image --ref name=test "$T/layout" 2>&1)
        check "oci-image-tool validate: $out" [ $? -eq 0 ]
    else
        skip "OCI layout validation: oci-image-tool not installed"
    fi
    HP=$(free_port)
    if [ -n "$REG" ] && "$AW" up --help 2>&1 | grep -q 'REF'; then
        set -- up --from "$REG/apps/deploy-test:v1" --insecure --listen "127.0.0.1:$HP"
    else
        set -- up --from /app --listen "127.0.0.1:$HP"
    fi
    $P run -d --name aw-deploy-test --network host -v "$APP:/app:ro" $IMG "$@" >/dev/null 2>"$T/run.err"
    wait_http "http://127.0.0.1:$HP/.well-known/spin/health" 100
    body=$(curl -s "http://127.0.0.1:$HP/")
    check "container answers HTTP ($*): $body $($P logs aw-deploy-test 2>&1 | tail -3) $(cat "$T/run.err")" [ "$body" = "Hello from Anywhere!" ]
    $P stop -t 10 aw-deploy-test >/dev/null 2>&1
    code=$($P inspect aw-deploy-test --format '{{.State.ExitCode}}' 2>&1)
    check "container: SIGTERM exits 0 (got $code)" [ "$code" = 0 ]
    $P rm -f aw-deploy-test >/dev/null 2>&1
    # Outbound HTTPS from the image: libcurl and OpenSSL are linked into the
    # binary. The tests' caps guest fetches from a loopback TLS server whose
    # certificate is added to the image's CA bundle (mounted over it).
    CAPS=$BUILD/tests/app/caps.wasm
    if [ -f "$CAPS" ] && command -v openssl >/dev/null; then
        mkdir -p "$T/tlsapp" "$T/tlswww"
        echo "tls peer says hi" > "$T/tlswww/hi.txt"
        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tlskey.pem" -out "$T/tlscert.pem" -days 2 \
            -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1
        cat /etc/ssl/certs/ca-certificates.crt "$T/tlscert.pem" > "$T/bundle.pem"
        python3 "$ROOT/tests/deploy/tls_server.py" "$T/tlswww" "$T/tlscert.pem" "$T/tlskey.pem" > "$T/tls.port" 2>"$T/tls.err" &
        PIDS="$PIDS $!"
        i=0; while [ ! -s "$T/tls.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        TP=$(head -n 1 "$T/tls.port")
        cp "$CAPS" "$T/tlsapp/caps.wasm"
        cat > "$T/tlsapp/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "tls-out"
[[trigger.http]]
route = "/caps"
component = "caps"
[component.caps]
source = "caps.wasm"
allowed_outbound_hosts = ["https://127.0.0.1:$TP"]
TOML
        OP=$(free_port)
        $P run -d --name aw-deploy-test --network host -v "$T/tlsapp:/app:ro" \
            -v "$T/bundle.pem:/etc/ssl/certs/ca-certificates.crt:ro" $IMG up --from /app --listen "127.0.0.1:$OP" \
            >/dev/null 2>"$T/run.err"
        wait_http "http://127.0.0.1:$OP/.well-known/spin/health" 100
        body=$(curl -s "http://127.0.0.1:$OP/caps?op=http&url=https://127.0.0.1:$TP/hi.txt")
        check "container: outbound HTTPS (static libcurl + OpenSSL): $body $($P logs aw-deploy-test 2>&1 | tail -3)" \
            has "$body" "tls peer says hi"
        $P rm -f -t 0 aw-deploy-test >/dev/null 2>&1
    else
        skip "outbound HTTPS from the image: $CAPS (make app-tests) or openssl missing"
    fi
    # The chart's Deployment as a pod (host network so the pod reaches the loopback registry).
    if [ -x "$HELM" ] && [ -n "$REG" ] && "$AW" up --help 2>&1 | grep -q 'REF'; then
        KP=$(free_port)
        mkdir -p "$T/play"
        "$HELM" template play "$C/anywhere" --set app.ref="$REG/apps/deploy-test:v1" --set app.insecureRegistry=true \
            --set image.repository=localhost/anywhere-test --set image.tag=latest --set image.pullPolicy=Never \
            --set hostNetwork=true --set containerPort="$KP" --set podDisruptionBudget.enabled=false \
            --show-only templates/deployment.yaml > "$T/play.rendered.yaml"
        # podman maps declared ports only on bridge/slirp4netns networks; with
        # the host network the port list must go (probes then name the number).
        awk -v p="$KP" '/^          ports:/ { skip = 1; next }
            skip && /^            / { next } { skip = 0; sub(/port: http$/, "port: " p); print }' \
            "$T/play.rendered.yaml" > "$T/play.yaml"
        out=$(cd "$T/play" && $P play kube "$T/play.yaml" 2>&1)
        wait_http "http://127.0.0.1:$KP/.well-known/spin/health" 100
        body=$(curl -s "http://127.0.0.1:$KP/")
        check "podman play kube (chart Deployment, read-only root, uid 65532) answers: $body $out" [ "$body" = "Hello from Anywhere!" ]
        $P play kube --down "$T/play.yaml" >/dev/null 2>&1
    else
        skip "podman play kube: needs helm, the registry and up --from"
    fi
    # The variant with the compiled tier: LLVM 19 linked into its plugin
    # (make STATIC=1 DEPLOY_LLVM=1), which the tier loader finds in the image.
    if command -v llvm-config-19 >/dev/null && command -v wast2json >/dev/null; then
        make -s -j2 SAN= STATIC=1 DEPLOY_LLVM=1 BUILD=build/static-llvm deploy-rootfs >"$T/llvm.log" 2>&1 ||
            bad "make STATIC=1 DEPLOY_LLVM=1 deploy-rootfs: $(tail -5 "$T/llvm.log")"
        IMGL=localhost/anywhere-test:llvm
        out=$($P build -q --network none --build-arg ROOTFS=build/static-llvm/rootfs -f deploy/Containerfile -t $IMGL . 2>&1)
        check "podman build (LLVM tier): $out" $P image exists $IMGL
        rm -rf "$T/layoutl"
        skopeo copy -q "containers-storage:[overlay@$PODMAN_ROOT/storage+$PODMAN_ROOT/run]$IMGL" "oci:$T/layoutl:test" >/dev/null 2>&1
        size=$(du -sb "$T/layoutl/blobs" | cut -f1)
        echo "image size with the LLVM tier, compressed (gzip layers, OCI layout): $size bytes"
        # Debian's shared libLLVM and its libraries alone are 66 MB compressed.
        check "LLVM-tier image ≤ 30 MB compressed ($size bytes)" [ "$size" -le 30000000 ]
        mkdir -p "$T/spec"
        printf '%s\n' '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))' \
            '(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))' > "$T/spec/add.wast"
        (cd "$T/spec" && wast2json add.wast -o add.json)
        out=$($P run --rm --network none -v "$T/spec:/spec:ro" $IMGL spectest /spec/add.json --tier compiled 2>&1)
        check "LLVM-tier image runs the compiled tier: $out" has "$out" "1 passed, 0 failed"
        $P rmi -f $IMGL >/dev/null 2>&1
    else
        skip "LLVM-tier image: llvm-config-19 (llvm-19-dev) or wast2json (wabt) not installed"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
