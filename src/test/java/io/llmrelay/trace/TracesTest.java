package io.llmrelay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which trace an upstream call joins: the caller's, continued; else Lambda's X-Ray trace; else a
 * new one. X-Ray headers as AWS documents them
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader).
 */
class TracesTest {
    private static final String CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    @Test
    void aValidCallerTraceIsContinuedWithANewParent() {
        TraceContext trace = Traces.forRequest(CALLER, XRAY);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", trace.traceId());
        assertNotEquals("00f067aa0ba902b7", trace.parentId(), "the relay's own call is the new parent");
        assertTrue(trace.sampled());
        assertFalse(Traces.forRequest(CALLER.replace("-01", "-00"), XRAY).sampled(), "the caller's flag, not X-Ray's");
    }

    @Test
    void withoutOneTheXRayRootIsTheTraceAndItsSegmentTheParent() {
        TraceContext trace = Traces.forRequest("00-not-valid", XRAY);
        assertEquals("5759e988bd862e3fe1be46a994272793", trace.traceId(), "the root without 1- and the dash");
        assertEquals("53995c3f42cd8ad8", trace.parentId());
        assertTrue(trace.sampled());
        assertEquals(XRAY, trace.xrayHeader(), "and back");
        TraceContext passThrough = Traces.forRequest(null, "Root=1-5759e988-bd862e3fe1be46a994272793");
        assertEquals("5759e988bd862e3fe1be46a994272793", passThrough.traceId());
        assertFalse(passThrough.sampled());
        assertEquals(16, passThrough.parentId().length());
        assertEquals("5759e988bd862e3fe1be46a994272793",
                Traces.forRequest(null, " Sampled=0 ; Lineage=a:1 ;Root=1-5759E988-BD862E3FE1BE46A994272793").traceId(),
                "fields in any order, spaces around them, hex in either case");
    }

    @Test
    void otherwiseANewUnsampledTraceEveryTime() {
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            TraceContext trace = Traces.forRequest(null, i % 2 == 0 ? null : "Root=1-zzz;Sampled=1");
            assertTrue(TraceParent.parse(trace.traceparent()).isPresent(), trace.traceparent());
            assertFalse(trace.sampled());
            traces.add(trace.traceId());
        }
        assertEquals(200, traces.size());
    }

    @Test
    void xrayHeadersWithoutAValidRootAreNotRead() {
        for (String header : new String[] {"", "Parent=53995c3f42cd8ad8;Sampled=1", "Root=2-5759e988-bd862e3fe1be46a994272793",
                "Root=1-5759e988-bd862e3fe1be46a99427279", "Root=1-00000000-000000000000000000000000",
                "Root=1-5759e988-bd862e3fe1be46a994272793" + ";x=".repeat(400)}) {
            assertEquals(Optional.empty(), XRayTraceHeader.parse(header), header);
        }
        assertEquals(null, XRayTraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000")
                .orElseThrow().parentId(), "an all-zero parent is no parent");
    }

    @Test
    void newIdsAreNeverAllZero() {
        int[] calls = {0};
        TraceContext trace = Traces.forRequest(null, null, bytes -> {
            if (calls[0]++ > 0) {
                bytes[bytes.length - 1] = 7; // the first draw is all zero, as a random source may be
            }
        });
        assertEquals("00000000000000000000000000000007", trace.traceId());
        assertEquals("0000000000000007", trace.parentId());
    }
}
