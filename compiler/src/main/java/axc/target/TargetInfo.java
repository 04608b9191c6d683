package axc.target;

import java.util.List;

/**
 * What a target is, as data: its id and description, the weight schemes and ops it runs natively, and
 * the version of the target interface it implements.
 */
public record TargetInfo(String id, String description, int apiVersion, List<String> schemes, List<String> ops) {
}
