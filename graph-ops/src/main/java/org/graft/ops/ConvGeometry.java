package org.graft.ops;

/**
 * The sizes of one 2-d convolution over NCHW images: {@code n} images of {@code c} channels
 * and {@code h x w} pixels, {@code f} filters of {@code c / groups} channels and
 * {@code kh x kw} taps, and the spec's strides, paddings and dilations. The output is
 * {@code n x f x oh x ow}.
 *
 * <p>A {@linkplain #patch() patch} is what one filter of one group sees at one output position
 * (its {@linkplain #spot spot}): {@code c / groups x kh x kw} input values, or zeros where the
 * window hangs over the padding.
 */
record ConvGeometry(int n, int c, int h, int w, int f, int kh, int kw, Conv.Spec spec) {

    int oh() { return outSize(h, kh, spec.sh(), spec.top() + spec.bottom(), spec.dh()); }

    int ow() { return outSize(w, kw, spec.sw(), spec.left() + spec.right(), spec.dw()); }

    /**
     * The positions a window of {@code k} taps, {@code dilation} apart, takes along an axis of
     * {@code size} padded by {@code pad} in all, moving by {@code stride}: PyTorch's
     * {@code floor((size + pad - dilation (k - 1) - 1) / stride) + 1}, and 0 when the window does
     * not fit once.
     */
    static int outSize(int size, int k, int stride, int pad, int dilation) {
        int room = size + pad - dilation * (k - 1) - 1;
        return room < 0 ? 0 : room / stride + 1;
    }

    /** Channels per group. */
    int cg() { return c / spec.groups(); }

    /** Filters per group. */
    int fg() { return f / spec.groups(); }

    /** The values of one patch: {@code c / groups x kh x kw}. */
    int patch() { return cg() * kh * kw; }

    /** Output positions per image and filter: {@code oh x ow}. */
    int spots() { return oh() * ow(); }

    /**
     * For each row {@code r} of a patch (channel, tap row, tap column, in that order) and each
     * spot {@code s}, the offset of the value it reads within one group's channels of one
     * image, at {@code [r * spots + s]}; -1 where it reads the padding.
     */
    int[] patchIndex() {
        int oh = oh(), ow = ow(), spots = oh * ow;
        int[] index = new int[patch() * spots];
        for (int ci = 0, r = 0; ci < cg(); ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    for (int oy = 0, s = r * spots; oy < oh; oy++) {
                        int y = oy * spec.sh() - spec.top() + i * spec.dh();
                        for (int ox = 0; ox < ow; ox++, s++) {
                            int x = ox * spec.sw() - spec.left() + j * spec.dw();
                            index[s] = y < 0 || y >= h || x < 0 || x >= w ? -1 : (ci * h + y) * w + x;
                        }
                    }
                }
            }
        }
        return index;
    }

    /**
     * With a horizontal stride of 1, a patch row's values along an output row are a run of
     * adjacent inputs, with zeros at either end where it hangs over the padding. For each row
     * {@code r} of a patch and output row {@code oy}, at {@code 3 (r * oh + oy)}: the offset of
     * the run's first value within one group's channels of one image, and the first and last
     * (exclusive) output columns it fills; an empty run where the row is in the padding.
     */
    int[] patchRuns() {
        if (spec.sw() != 1) throw new IllegalStateException("runs need a horizontal stride of 1, found " + spec.sw());
        int oh = oh(), ow = ow();
        int[] runs = new int[patch() * oh * 3];
        for (int ci = 0, r = 0; ci < cg(); ci++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, r++) {
                    int shift = j * spec.dw() - spec.left();   // input column of output column 0
                    int lo = Math.min(ow, Math.max(0, -shift)), hi = Math.max(lo, Math.min(ow, w - shift));
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * spec.sh() - spec.top() + i * spec.dh(), at = 3 * (r * oh + oy);
                        boolean inside = y >= 0 && y < h && lo < hi;
                        runs[at] = inside ? (ci * h + y) * w + lo + shift : 0;
                        runs[at + 1] = inside ? lo : 0;
                        runs[at + 2] = inside ? hi : 0;
                    }
                }
            }
        }
        return runs;
    }
}
