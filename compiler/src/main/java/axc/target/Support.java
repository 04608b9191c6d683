package axc.target;

/** A target's answer to "can you run this node?": yes, or no with the reason. */
public record Support(boolean supported, String reason) {
    public static Support yes() {
        return new Support(true, "");
    }

    public static Support no(String reason) {
        return new Support(false, reason);
    }
}
