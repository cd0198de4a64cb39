using System.Text.RegularExpressions;
using Amber.Testing;

namespace Amber.Storage.Tests;

/// <summary>
/// No type in <c>src/</c> grows past ~800 lines (issue 22): an engine type that grows into thousands of lines over
/// partial files lacks seams. One top-level type per file, so a type's size is the sum of its files' lines (a partial
/// type's files together; nested types count in the type that holds them).
/// </summary>
public sealed partial class SourceSizeTests
{
    private const int MaxLinesPerType = 800;

    [Fact]
    public void Sources_NoTypeSpansMoreThan800Lines()
    {
        var src = Path.Combine(RepositoryRoot.Path, "src");
        var sizes = new Dictionary<string, (int Lines, List<string> Files)>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            var sep = Path.DirectorySeparatorChar;
            if (relative.Contains($"{sep}obj{sep}", StringComparison.Ordinal) || relative.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var ns = Namespace().Match(text);
            var type = TopLevelType().Match(text);
            // A file of top-level statements (Program.cs) holds no type declaration: it is measured by itself.
            var name = type.Success ? (ns.Success ? ns.Groups[1].Value + "." : "") + type.Groups[1].Value : relative;
            var lines = File.ReadLines(file).Count();
            var entry = sizes.GetValueOrDefault(name, (0, []));
            entry.Files.Add(relative);
            sizes[name] = (entry.Lines + lines, entry.Files);
        }

        Assert.Contains("Amber.Storage.Archive", sizes.Keys); // the scan finds types by their namespace and name
        var over = sizes.Where(s => s.Value.Lines > MaxLinesPerType)
            .Select(s => $"{s.Key}: {s.Value.Lines} lines in {string.Join(", ", s.Value.Files)}")
            .ToList();
        Assert.Empty(over);
    }

    [GeneratedRegex(@"^namespace ([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    /// <summary>A type declared at the start of a line: with file-scoped namespaces, only top-level types are.</summary>
    [GeneratedRegex(@"^(?:(?:public|internal|file|sealed|static|abstract|partial|readonly|unsafe|ref)\s+)*(?:class|struct|record(?:\s+struct|\s+class)?|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
