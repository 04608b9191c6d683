/** AWQ: activation-aware per-channel scaling and clipping before round-to-nearest int4 ({@link axc.quant.awq.Awq}). */
package axc.quant.awq;
