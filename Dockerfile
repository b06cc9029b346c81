# The operator image: frappe-op compiled into one binary, run as non-root on a
# minimal base. Build with `make image` (needs Docker).
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock ./
COPY . .
RUN mkdir -p dist && deno compile --no-prompt $(grep -v '^#' bin/permissions) --output dist/frappe-op mod.ts

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist/frappe-op /usr/local/bin/frappe-op
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/frappe-op"]
CMD ["run", "--leader-elect"]
