# The operator image: frappe-op compiled into one binary, run as non-root on a
# minimal base. Build with `make image` (needs Docker), which passes
# VERSION=$(git describe --tags --always --dirty): .git is not sent to the
# build (.dockerignore), so without the argument the binary reports "dev".
FROM denoland/deno:2.9.6 AS build
ARG VERSION=dev
WORKDIR /src
COPY deno.json deno.lock ./
COPY . .
# The same compile as `make build`: bin/permissions, the version stamp.
RUN DENO=deno FRAPPE_OP_VERSION="$VERSION" bash hack/build.sh

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/frappe-op /usr/local/bin/frappe-op
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/frappe-op"]
CMD ["run", "--leader-elect"]
