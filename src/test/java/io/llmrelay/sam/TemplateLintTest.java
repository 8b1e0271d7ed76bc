package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.testing.ExternalTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** template.yaml passes cfn-lint, SAM transform included. */
class TemplateLintTest {
    @Test
    void cfnLintFindsNothingInTemplateYaml() throws Exception {
        Path cfnLint = ExternalTool.require("cfn-lint");
        Process lint = new ProcessBuilder(cfnLint.toString(), "template.yaml").redirectErrorStream(true).start();
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        lint.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, lint.exitValue(), "cfn-lint template.yaml:\n" + output);
        assertEquals("", output.strip(), "cfn-lint printed findings");
    }
}
