package axc.target;

import axc.pass.Pass;

/**
 * A fusion a target asks for: a named rewrite the shared pipeline runs when compiling for that target.
 * The conformance suite checks each declared pattern preserves the interpreter's outputs.
 */
public record FusionPattern(String name, Pass pass) {
}
