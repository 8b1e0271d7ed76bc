# LLM Relay: build entry points.
#
# `sam build` runs `make build-RelayFunction` (template.yaml: Metadata BuildMethod: makefile)
# with ARTIFACTS_DIR set; the target makes the same package as `mvn -B package`
# (target/llm-relay-lambda.zip: classes at the root, dependency jars in lib/, relay-wrapper
# with mode 0755) and unzips it there; unzip restores the unix modes stored in the zip.
#
# Maven needs JDK 21 or newer: set JAVA_HOME if the default `java` is older, for example
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 make package
# BUILD_DIR moves Maven's output directory (pom.xml property relay.build.dir) so that
# parallel builds of one checkout need not share target/.
#
# `make serve ARGS="--config relay.json --port 9000"` runs ./llm-relay serve ARGS: the launcher finds a
# JDK 21+ (JAVA_HOME, java on PATH, /usr/lib/jvm), builds the jar when it is missing or stale, runs it.

MVN       ?= mvn
BUILD_DIR ?= target
ARGS      ?=

MVN_BUILD_DIR := -Drelay.build.dir=$(abspath $(BUILD_DIR))
LAMBDA_ZIP    := $(BUILD_DIR)/llm-relay-lambda.zip

.PHONY: build-RelayFunction package test lint serve clean

build-RelayFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it; by hand: make build-RelayFunction ARTIFACTS_DIR=/some/dir)" >&2; exit 2; }
	$(MVN) -B -q package -DskipTests $(MVN_BUILD_DIR)
	mkdir -p "$(ARTIFACTS_DIR)"
	unzip -o -q "$(LAMBDA_ZIP)" -d "$(ARTIFACTS_DIR)"

package:
	$(MVN) -B package $(MVN_BUILD_DIR)

test:
	$(MVN) -B verify $(MVN_BUILD_DIR)

lint:
	cfn-lint template.yaml

serve:
	MVN="$(MVN)" RELAY_BUILD_DIR="$(abspath $(BUILD_DIR))" ./llm-relay serve $(ARGS)

clean:
	$(MVN) -B -q clean $(MVN_BUILD_DIR)
