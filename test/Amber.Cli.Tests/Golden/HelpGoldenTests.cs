using System.CommandLine;
using System.CommandLine.Help;

namespace Amber.Cli.Tests.Golden;

/// <summary>The <c>--help</c> of every command is a reviewed contract: each is kept in Golden/help/*.txt.</summary>
public sealed class HelpGoldenTests
{
    /// <summary>Help is wrapped at a fixed width here (a terminal's width would make the text depend on the machine).</summary>
    private const int Width = 120;

    public static TheoryData<string> CommandPaths()
    {
        var paths = new TheoryData<string>();
        foreach (var path in Walk(AmberCli.Build(TextWriter.Null, TextWriter.Null), []))
        {
            paths.Add(path);
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public async Task Help_OfEveryCommand_MatchesItsGoldenFile(string commandPath)
    {
        var output = new StringWriter();
        var root = AmberCli.Build(output, TextWriter.Null);
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            ((HelpAction)help.Action!).MaxWidth = Width;
        }

        string[] args = [.. commandPath.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
        var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = TextWriter.Null }, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        // The usage line names the running executable (the test host here, amber when installed).
        var text = output.ToString().Replace(root.Name, "amber", StringComparison.Ordinal);
        GoldenFile.Assert(Path.Combine("help", (commandPath.Length == 0 ? "amber" : "amber-" + commandPath.Replace(' ', '-')) + ".txt"), text);
    }

    [Fact]
    public void HelpGoldenFiles_HaveNoFileForARemovedCommand()
    {
        var expected = Walk(AmberCli.Build(TextWriter.Null, TextWriter.Null), [])
            .Select(p => (p.Length == 0 ? "amber" : "amber-" + p.Replace(' ', '-')) + ".txt")
            .Order(StringComparer.Ordinal);
        var kept = Directory.GetFiles(Path.Combine(GoldenFile.Folder, "help"), "*.txt").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(expected, kept);
    }

    private static IEnumerable<string> Walk(Command command, List<string> names)
    {
        yield return string.Join(' ', names);
        foreach (var sub in command.Subcommands)
        {
            foreach (var path in Walk(sub, [.. names, sub.Name]))
            {
                yield return path;
            }
        }
    }
}
