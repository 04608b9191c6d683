package axc.formats.gguf;

import axc.formats.dtype.DType;

import java.util.Optional;

/** ggml tensor type ids as stored in GGUF tensor infos. */
public final class GgufType {
    private GgufType() {
    }

    public static Optional<DType> fromId(int id) {
        return Optional.ofNullable(switch (id) {
            case 0 -> DType.F32;
            case 1 -> DType.F16;
            case 2 -> DType.Q4_0;
            case 3 -> DType.Q4_1;
            case 6 -> DType.Q5_0;
            case 7 -> DType.Q5_1;
            case 8 -> DType.Q8_0;
            case 9 -> DType.Q8_1;
            case 10 -> DType.Q2_K;
            case 11 -> DType.Q3_K;
            case 12 -> DType.Q4_K;
            case 13 -> DType.Q5_K;
            case 14 -> DType.Q6_K;
            case 15 -> DType.Q8_K;
            case 24 -> DType.I8;
            case 25 -> DType.I16;
            case 26 -> DType.I32;
            case 27 -> DType.I64;
            case 28 -> DType.F64;
            case 30 -> DType.BF16;
            default -> null;
        });
    }

    public static int id(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q5_0 -> 6;
            case Q5_1 -> 7;
            case Q8_0 -> 8;
            case Q8_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 11;
            case Q4_K -> 12;
            case Q5_K -> 13;
            case Q6_K -> 14;
            case Q8_K -> 15;
            case I8 -> 24;
            case I16 -> 25;
            case I32 -> 26;
            case I64 -> 27;
            case F64 -> 28;
            case BF16 -> 30;
            default -> throw new IllegalArgumentException(t + " has no GGUF type");
        };
    }

    /** llama.cpp's {@code general.file_type} (llama_ftype) for a model whose matrices are mostly {@code t}. */
    public static int fileType(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12; // Q3_K_M
            case Q4_K -> 15; // Q4_K_M
            case Q5_K -> 17; // Q5_K_M
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException(t + " has no llama.cpp file type");
        };
    }
}
