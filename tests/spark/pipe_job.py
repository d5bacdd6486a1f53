"""PySpark in local mode pipes a JSONL dataset through `docclean clean - --jsonl`.
Usage: pipe_job.py DOCCLEAN INPUT.jsonl OUTDIR"""
import sys

from pyspark import SparkConf, SparkContext


def main():
    docclean, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
    conf = SparkConf().setMaster("local[2]").setAppName("docclean-pipe").set("spark.ui.enabled", "false")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    try:
        rdd = sc.textFile(src, minPartitions=4)
        cleaned = rdd.pipe(f"{docclean} clean - --jsonl -q")
        cleaned.saveAsTextFile(out)
        print(f"partitions: {rdd.getNumPartitions()}, lines in: {rdd.count()}")
    finally:
        sc.stop()


if __name__ == "__main__":
    main()
