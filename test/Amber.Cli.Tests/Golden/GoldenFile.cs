using System.Text;
using Amber.Testing;

namespace Amber.Cli.Tests.Golden;

/// <summary>
/// Compares text with a file kept in the repository (test/Amber.Cli.Tests/Golden/...). A difference fails with
/// a line diff; <c>AMBER_UPDATE_GOLDEN=1</c> rewrites the file instead, for review in the commit.
/// </summary>
internal static class GoldenFile
{
    public const string UpdateVariable = "AMBER_UPDATE_GOLDEN";

    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "test", "Amber.Cli.Tests", "Golden");

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Asserts that <paramref name="actual"/> equals the golden file at <paramref name="relativePath"/> (line endings normalized).</summary>
    public static void Assert(string relativePath, string actual)
    {
        actual = Normalize(actual);
        var path = Path.Combine(Folder, relativePath);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        if (!File.Exists(path))
        {
            Xunit.Assert.Fail($"golden file {relativePath} is missing; run the tests with {UpdateVariable}=1 to create it, then review it. The output was:\n{actual}");
        }

        var expected = Normalize(File.ReadAllText(path));
        if (expected != actual)
        {
            Xunit.Assert.Fail($"output differs from golden file {relativePath} (- golden, + now); if the change is intended, run the tests with {UpdateVariable}=1 and review the diff:\n{Diff(expected, actual)}");
        }
    }

    private static string Normalize(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith('\n') ? text : text + "\n";
    }

    /// <summary>A plain line diff (longest common subsequence), enough to read a changed help text or shape.</summary>
    internal static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var diff = new StringBuilder();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                diff.Append("+ ").Append(b[y++]).Append('\n');
            }
            else
            {
                diff.Append("- ").Append(a[x++]).Append('\n');
            }
        }

        return diff.ToString();
    }
}
