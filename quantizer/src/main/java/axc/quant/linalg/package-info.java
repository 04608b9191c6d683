/**
 * The dense kernels behind the quantizers: a register-blocked multiply-add ({@link
 * axc.quant.linalg.Gemm}) on the Vector API, and a blocked Cholesky factorization built on it.
 */
package axc.quant.linalg;
