using Amber.Fuzz.Targets;
using Amber.Import.Formats;

namespace Amber.Fuzz.Tests;

/// <summary>
/// The inputs fuzzing found crashes with (kept under Regressions/, all synthetic: mutants of the tool's own seeds).
/// Each folder is a target; the import folder runs through every format and the real import path.
/// </summary>
public sealed class RegressionTests
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Regressions");

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(Path.GetDirectoryName(file)!), Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void FoundInput_IsAcceptedOrRejected_NeverACrash(string folder, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, folder, file));
        var targets = folder == "import" ? FormatRegistry.All.Select(f => "import-" + f.Name).ToArray() : [folder];
        foreach (var name in targets)
        {
            using var target = TargetCatalog.Create(name, importEvery: 1);
            _ = target.Run(bytes);
        }
    }

    /// <summary>
    /// A number past the double range (1e309) in a Codex item left its node without a canonical form; the
    /// CanonicalJsonException escaped the format's Read (documented to throw ImportException) naming no record.
    /// </summary>
    [Fact]
    public void Codex_NumberPastTheDoubleRange_IsAnImportErrorNamingItsLine()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, "import", "codex-number-past-double.jsonl"));
        var codex = FormatRegistry.All.Single(f => f.Name == "codex");
        var input = new Amber.Import.ImportInput("rollout-synthetic.jsonl", bytes.Length, () => new MemoryStream(bytes));

        var e = Assert.Throws<Amber.Import.ImportException>(() => codex.Read(input, TestContext.Current.CancellationToken).ToList());

        Assert.StartsWith("rollout-synthetic.jsonl: line 3: ", e.Message, StringComparison.Ordinal);
    }
}
