package org.graft.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.graft.core.GraftException;
import org.graft.core.tensor.DType;
import org.graft.core.tensor.Tensor;
import org.graft.models.data.Dataset;

import scala.Tuple2;

/**
 * The training split as Spark holds it: one {@link Examples} block per partition, rows in the
 * split's order, partition p holding a contiguous run of them; cached in the executors' memory
 * and cut from its lineage, so that each step's tasks carry only the rows they are to take,
 * never the examples. The split comes from the driver's memory, or from CSV files that the
 * executors read themselves ({@link #fromCsv}), which never pass through the driver.
 */
final class TrainingSplit {
    private TrainingSplit() {}

    /** {@code split}, from the driver's memory, in {@code partitions} blocks of sizes differing by at most one. */
    static JavaRDD<Examples> inMemory(JavaSparkContext spark, Dataset split, int partitions) {
        int n = split.size(), p = Math.min(partitions, n);
        var blocks = new ArrayList<Examples>();
        for (int i = 0; i < p; i++) blocks.add(Examples.of(split, (int) ((long) n * i / p), (int) ((long) n * (i + 1) / p)));
        return held(spark.parallelize(blocks, p));
    }

    /**
     * The examples of the CSV files at {@code path} (a file, a directory or a glob, on any file
     * system Hadoop reads: {@code hdfs://}, {@code s3a://}, {@code file://}), in the layout of
     * Graft's {@code csv:FILE}: a line an example, its features then its target, the class label
     * for a set of classes (a whole number 0..k-1) or the {@code like.targetWidth()} real targets;
     * a header line (no number in it) and blank lines are skipped. The rows are numbered in the
     * order of the files and their lines, as Spark lists them.
     *
     * @param like the kind of examples expected: the feature width, the classes or target width
     */
    static JavaRDD<Examples> fromCsv(JavaSparkContext spark, String path, int partitions, Dataset like) {
        int d = like.featureWidth(), classes = like.classes(), k = classes > 0 ? 1 : like.targetWidth();
        JavaRDD<double[]> rows = spark.textFile(path, partitions)
                .filter(line -> !line.isBlank() && !isHeader(line))
                .map(line -> parse(path, line, d, k, classes));
        return held(rows.zipWithIndex().mapPartitions(numbered -> block(numbered, d, k, classes)));
    }

    /** The first {@code count} examples of {@code files}, as a data set of the kind of {@code like}. */
    static Dataset firstRows(JavaRDD<Examples> files, Dataset like, int count) {
        var blocks = files.filter(b -> b.count() > 0).take(1);
        if (blocks.isEmpty()) throw new GraftException("the training files hold no example");
        Examples first = blocks.get(0);
        int n = Math.min(count, first.count());
        int[] rows = java.util.stream.IntStream.range(0, n).map(i -> (int) first.first() + i).toArray();
        Tensor x = first.features(rows, DType.F64);
        if (like.isClassification()) {
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = (int) first.targets()[i];
            return Dataset.classification(x, labels, like.classes());
        }
        return Dataset.regression(x, first.targets(rows, DType.F64, false));
    }

    /** A line with no number in it: a header's column names. */
    private static boolean isHeader(String line) {
        for (String field : line.split(",", -1)) {
            try {
                Double.parseDouble(field.trim());
                return false;
            } catch (NumberFormatException e) {
                // a name, as a header has
            }
        }
        return true;
    }

    /** A line's features then its targets, checked: {@code d} features and {@code k} targets, a label 0..classes-1 for classes. */
    static double[] parse(String path, String line, int d, int k, int classes) {
        String[] fields = line.split(",", -1);
        String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
        String layout = d + " features, then " + (classes > 0 ? "the class label" : k == 1 ? "the target" : k + " targets");
        if (fields.length != d + k) {
            throw new GraftException("--spark-train " + path + ": expected " + (d + k) + " numbers a line (" + layout + "), found "
                    + fields.length + " in '" + shown + "'");
        }
        double[] row = new double[d + k];
        for (int i = 0; i < row.length; i++) {
            try {
                row[i] = Double.parseDouble(fields[i].trim());
            } catch (NumberFormatException e) {
                throw new GraftException("--spark-train " + path + ": expected a number in column " + (i + 1) + " (" + layout
                        + "), found '" + fields[i] + "' in '" + shown + "'");
            }
        }
        double label = row[d];
        if (classes > 0 && !(label == Math.rint(label) && label >= 0 && label < classes)) {
            throw new GraftException("--spark-train " + path + ": expected a class label 0.." + (classes - 1) + " in column " + (d + 1)
                    + ", found " + fields[d] + " in '" + shown + "'");
        }
        return row;
    }

    /** A partition's numbered rows as one block; the rows of a partition are numbered consecutively. */
    private static Iterator<Examples> block(Iterator<Tuple2<double[], Long>> numbered, int d, int k, int classes) {
        List<double[]> rows = new ArrayList<>();
        long first = -1;
        while (numbered.hasNext()) {
            Tuple2<double[], Long> row = numbered.next();
            if (first < 0) first = row._2();
            rows.add(row._1());
        }
        double[] x = new double[rows.size() * d], y = new double[rows.size() * k];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, x, i * d, d);
            System.arraycopy(rows.get(i), d, y, i * k, k);
        }
        return List.of(new Examples(Math.max(first, 0), rows.size(), d, k, classes, x, y)).iterator();
    }

    /**
     * Cached and materialized, with its lineage cut: a parallelized collection's tasks would
     * otherwise carry their partition's data with every step, and files would be read again.
     */
    static JavaRDD<Examples> held(JavaRDD<Examples> blocks) {
        JavaRDD<Examples> held = blocks.cache();
        held.rdd().localCheckpoint();
        held.count();
        return held;
    }
}
