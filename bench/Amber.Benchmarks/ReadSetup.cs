using System.Text.Json;

namespace Amber.Benchmarks;

/// <summary>
/// What the <c>read</c> command prepared before BenchmarkDotNet runs: the ingested archive and the two
/// conversations to read. Passed by file (its path in <see cref="Variable"/>) so it also reaches
/// out-of-process benchmark runs.
/// </summary>
public sealed record ReadSetup(string ArchiveDirectory, ReadTarget Small, ReadTarget Largest)
{
    public const string Variable = "AMBER_BENCH_READ_SETUP";

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this));

    public static ReadSetup Load()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException($"{Variable} does not name a setup file; run the benchmarks through `Amber.Benchmarks read`, which ingests the corpus first.");
        }

        return JsonSerializer.Deserialize<ReadSetup>(File.ReadAllText(path)) ?? throw new InvalidOperationException($"{path}: empty setup.");
    }
}
