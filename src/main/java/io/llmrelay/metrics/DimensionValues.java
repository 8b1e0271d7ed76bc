package io.llmrelay.metrics;

import io.llmrelay.config.CallerConfig;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns a request's route, model and caller into dimension values from a bounded set: names the
 * configuration holds, or a fixed word. A caller can make up any model name (and a 100 KB one), and
 * every distinct dimension value is a new CloudWatch metric that is billed, so nothing a caller
 * typed becomes a dimension unless the configuration names it.
 *
 * <ul>
 *   <li>route: a configured route name; {@value #NONE} when the request was refused before a route
 *       was chosen (or names no configured route);</li>
 *   <li>model: the requested model when a route lists exactly that name (not through a glob, not
 *       through {@code default}); {@value #NONE} when the request named none; {@value #OTHER}
 *       otherwise;</li>
 *   <li>caller: a configured caller name; {@value #ANONYMOUS} otherwise (auth off, refused key).</li>
 * </ul>
 *
 * <p>A value CloudWatch would refuse as a dimension value (outside printable ASCII, over 1024
 * characters, blank: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)
 * is reported as the fixed word too, even when configured.
 */
public final class DimensionValues {
    public static final String NONE = "none";
    public static final String OTHER = "other";
    public static final String ANONYMOUS = "anonymous";
    static final int MAX_VALUE_CHARS = 1024;
    /** Before any configuration could be read: every value is a fixed word. */
    public static final DimensionValues UNCONFIGURED = new DimensionValues(Set.of(), Set.of(), model -> false);

    private final Set<String> routes;
    private final Set<String> callers;
    private final Predicate<String> listedModel;

    /**
     * @param listedModel whether a route lists this model name exactly; called with the caller's
     *     text, so it must be a lookup, not a match that could run long
     */
    public DimensionValues(Set<String> routes, Set<String> callers, Predicate<String> listedModel) {
        this.routes = Set.copyOf(routes);
        this.callers = Set.copyOf(callers);
        this.listedModel = listedModel;
    }

    /** From a configuration: its route names, caller names and the exact (non-glob) model names routes list. */
    public static DimensionValues of(RelayConfig config) {
        Set<String> routes = new HashSet<>();
        Set<String> models = new HashSet<>();
        for (RouteConfig route : config.routes()) {
            routes.add(route.name());
            for (String model : route.models()) {
                if (model.indexOf('*') < 0) {
                    models.add(model);
                }
            }
        }
        Set<String> callers = new HashSet<>();
        for (CallerConfig caller : config.callers()) {
            callers.add(caller.name());
        }
        Set<String> listed = Set.copyOf(models);
        return new DimensionValues(routes, callers, listed::contains);
    }

    public String route(String name) {
        return name != null && routes.contains(name) && publishable(name) ? name : NONE;
    }

    public String model(String requested) {
        if (requested == null || requested.isEmpty()) {
            return NONE;
        }
        return requested.length() <= MAX_VALUE_CHARS && publishable(requested) && listedModel.test(requested)
                ? requested : OTHER;
    }

    public String caller(String name) {
        return name != null && callers.contains(name) && publishable(name) ? name : ANONYMOUS;
    }

    /** CloudWatch's rule for a dimension value: 1 to 1024 printable ASCII characters, not all spaces. */
    static boolean publishable(String value) {
        if (value.isEmpty() || value.length() > MAX_VALUE_CHARS) {
            return false;
        }
        boolean visible = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
            visible |= c != ' ';
        }
        return visible;
    }
}
