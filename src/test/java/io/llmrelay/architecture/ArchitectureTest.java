package io.llmrelay.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout's promises, checked on the compiled main classes (not the sources: a fully qualified
 * name in code is a dependency too). The README's "Code map" says what each package is for.
 */
class ArchitectureTest {
    private static final String AWS_SDK = "software.amazon.awssdk..";
    /** The event-stream frame decoder library: not the SDK, but under software.amazon. */
    private static final String EVENTSTREAM = "software.amazon.eventstream..";
    private static final String JETTY = "org.eclipse.jetty..";
    /** The one class allowed to use {@link #EVENTSTREAM}: Bedrock's frame reader. */
    private static final String EVENT_STREAM_READER = "io.llmrelay.upstream.bedrock.EventStreamReader";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.llmrelay");
    }

    /** Every package is its own slice ({@code relay} and {@code relay.out} are two): none may depend on itself through others. */
    @Test
    void noPackageCycles() {
        slices().matching("io.llmrelay.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void relayImportsNoAwsSdkNoEventStreamAndNoJetty() {
        noClasses().that().resideInAPackage("io.llmrelay.relay..")
                .should().dependOnClassesThat().resideInAnyPackage(AWS_SDK, EVENTSTREAM, JETTY)
                .check(classes);
    }

    @Test
    void upstreamImportsNoAwsSdkAndNoJetty() {
        noClasses().that().resideInAPackage("io.llmrelay.upstream..")
                .should().dependOnClassesThat().resideInAnyPackage(AWS_SDK, JETTY)
                .check(classes);
    }

    /**
     * The exception to the rule above, as narrow as it goes: Bedrock's frame reader decodes with
     * {@code software.amazon.eventstream} (prelude and message CRCs, typed headers), a small
     * library apart from the SDK; behind an interface it would be one implementation and one
     * indirection for nothing. Nothing else in {@code upstream} may use it.
     */
    @Test
    void onlyBedrocksFrameReaderUsesTheEventStreamDecoder() {
        noClasses().that().resideInAPackage("io.llmrelay.upstream..")
                .and().doNotHaveFullyQualifiedName(EVENT_STREAM_READER)
                .should().dependOnClassesThat().resideInAPackage(EVENTSTREAM)
                .check(classes);
    }

    @Test
    void keysDoNotImportConfig() {
        noClasses().that().resideInAPackage("io.llmrelay.keys..")
                .should().dependOnClassesThat().resideInAPackage("io.llmrelay.config..")
                .check(classes);
    }

    /**
     * The Function URL framing and the Runtime API client meet only at {@code streaming}'s one
     * interface (choosing the content type before the first byte): neither imports the other.
     */
    @Test
    void functionUrlAndRuntimeDoNotImportEachOther() {
        noClasses().that().resideInAPackage("io.llmrelay.functionurl..")
                .should().dependOnClassesThat().resideInAPackage("io.llmrelay.runtime..")
                .check(classes);
        noClasses().that().resideInAPackage("io.llmrelay.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmrelay.functionurl..", "io.llmrelay.relay..",
                        "io.llmrelay.upstream..", "io.llmrelay.local..", "io.llmrelay.app..", "io.llmrelay.cli..")
                .check(classes);
    }

    /** The adapters know nothing of the relay that uses them, nor of configuration, keys or AWS wiring. */
    @Test
    void upstreamDependsOnNoStageAboveIt() {
        noClasses().that().resideInAPackage("io.llmrelay.upstream..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmrelay.relay..", "io.llmrelay.config..",
                        "io.llmrelay.keys..", "io.llmrelay.aws..", "io.llmrelay.app..", "io.llmrelay.cli..")
                .check(classes);
    }

    /** The composition root is chosen by its users ({@code cli}, and Lambda by the handler's name); nothing it builds knows it. */
    @Test
    void onlyTheCommandsUseTheCompositionRoot() {
        ArchRule rule = noClasses().that().resideOutsideOfPackages("io.llmrelay.app..", "io.llmrelay.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.llmrelay.app..");
        rule.check(classes);
    }

    /**
     * A route's transform edits the caller's chat request, so it is the same for every route type:
     * it knows no provider adapter, nor how attempts are made or answers written.
     */
    @Test
    void requestTransformsAreProviderNeutral() {
        noClasses().that().resideInAPackage("io.llmrelay.relay.transform..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmrelay.upstream..", "io.llmrelay.keys..",
                        "io.llmrelay.relay.attempt..", "io.llmrelay.relay.route..", "io.llmrelay.relay.stream..",
                        "io.llmrelay.relay.out..", "io.llmrelay.relay.watch..")
                .check(classes);
    }

    /** The relay runs the same on Lambda and in serve: it knows neither the runtime loop nor the local server. */
    @Test
    void relayKnowsNeitherTheRuntimeNorServe() {
        noClasses().that().resideInAPackage("io.llmrelay.relay..")
                .should().dependOnClassesThat().resideInAnyPackage("io.llmrelay.runtime..", "io.llmrelay.local..",
                        "io.llmrelay.aws..")
                .check(classes);
    }

    /**
     * Trace context is a wire format (W3C traceparent, X-Ray's header) read and written from the
     * JDK alone: the relay makes it, the upstream adapters send it, and it knows neither.
     */
    @Test
    void traceDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("io.llmrelay.trace..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.llmrelay.trace..", "java..")
                .check(classes);
    }
}
