namespace Amber.Benchmarks;

public static class ReadCommand
{
    public static int Run(BenchOptions options) => options.Rest.Count;
}
