package org.graft.core.random;

/**
 * 128 bytes of unused fields before a stream's state. The threads that draw one kernel's runs at
 * once each write their own copy of the stream at every draw, and the copies are made side by
 * side: sharing cache lines, the two threads' writes kept taking each other's lines, and
 * {@code bernoulli_logits} of 10,000 and 50,000 f32 logits took 38.5 and 175 us on two threads
 * against 38.5 and 232 on one (a throwaway harness on the AMD EPYC host, bench/README.md); with
 * this before each state, 22.2-22.6 and 105-108.
 * A superclass's fields come before its subclass's in HotSpot's layout, whatever their order in
 * the source, so the state never shares a cache line, or the pair of lines a core fetches at
 * once, with what comes before it; what comes after a stream is another stream's padding.
 */
abstract class StatePadding {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}
