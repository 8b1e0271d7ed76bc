package io.llmrelay.relay.watch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idle watchdog on the process's real timer thread: it fires when one wait outlasts the idle
 * period, never while events keep coming within it, never when disarmed or closed, and it costs
 * the reading thread no timer task per event.
 */
@Timeout(30)
class IdleWatchdogTest {

    @Test
    void aWaitLongerThanTheIdlePeriodFires() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        IdleWatchdog watchdog = new IdleWatchdog(50, idle::countDown);
        watchdog.arm();
        assertTrue(idle.await(10, TimeUnit.SECONDS), "the wait outlasted 50 ms and nothing fired");
        assertTrue(watchdog.fired());
        watchdog.close();
    }

    @Test
    void eventsWithinTheIdlePeriodKeepItFromFiringEvenWhenTheirSumIsLonger() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        try (IdleWatchdog watchdog = new IdleWatchdog(500, idle::countDown)) {
            for (int event = 0; event < 50; event++) { // ~1.5 s of events 30 ms apart, three idle periods
                watchdog.arm();
                Thread.sleep(30);
                watchdog.disarm();
            }
            assertFalse(watchdog.fired(), "fired although no wait came near 500 ms");
            watchdog.arm(); // and the same watchdog still fires on a real stall after all that
            assertTrue(idle.await(10, TimeUnit.SECONDS), "the stall after the events did not fire");
        }
    }

    @Test
    void aDisarmedWatchdogDoesNotFire() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        try (IdleWatchdog watchdog = new IdleWatchdog(30, idle::countDown)) {
            watchdog.arm();
            watchdog.disarm();
            assertFalse(idle.await(300, TimeUnit.MILLISECONDS), "fired between waits");
        }
    }

    @Test
    void aClosedWatchdogNeitherFiresNorChecksAgain() throws Exception {
        CountDownLatch idle = new CountDownLatch(1);
        IdleWatchdog watchdog = new IdleWatchdog(30, idle::countDown);
        watchdog.arm();
        watchdog.close();
        watchdog.arm(); // a read after close (the stream's last) schedules nothing
        assertFalse(idle.await(300, TimeUnit.MILLISECONDS), "fired after close");
    }

    @Test
    void eventsScheduleNoTimerTaskOfTheirOwn() throws Exception {
        try (IdleWatchdog watchdog = new IdleWatchdog(60_000, () -> {})) {
            watchdog.arm();
            watchdog.disarm();
            long before = WatchTimer.tasksScheduled();
            for (int event = 0; event < 1000; event++) {
                watchdog.arm();
                watchdog.disarm();
            }
            long scheduled = WatchTimer.tasksScheduled() - before;
            assertTrue(scheduled < 10, "1000 events scheduled " + scheduled + " timer tasks");
        }
    }
}
