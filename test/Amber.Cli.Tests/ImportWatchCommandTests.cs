using System.Text;
using System.Text.Json.Nodes;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>`amber import --watch` run for real over a temporary folder: rounds are awaited through its JSON lines, never by timing.</summary>
public sealed class ImportWatchCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Watch_ClaudeCodeSessionGrowing_AppendedLinesBecomeNodesOfTheSameConversation_AndStopsCleanly(bool encrypted)
    {
        var sample = SharedData.RequireSample(Path.Combine("claude-code-codemie", "session-9eda1058.jsonl"));
        var lines = File.ReadAllText(sample, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var nodes = lines.Count(l => JsonNode.Parse(l)!["uuid"] is not null);
        var half = lines.Length / 2;
        var firstNodes = lines.Take(half).Count(l => JsonNode.Parse(l)!["uuid"] is not null);
        using var cli = new CliRunner();
        cli.Init(encrypted);
        var projects = cli.Combine("projects");
        var file = Path.Combine(projects, "-home-user-repo", "session.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, string.Concat(lines.Take(half).Select(l => l + "\n")));
        File.WriteAllText(Path.Combine(projects, "README.txt"), "not a session\n");

        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var watch = Task.Run(() => AmberCli.RunAsync(["--archive", cli.ArchiveDir, "import", "--watch", projects, "--interval", "0.05", "--json"], synchronized, TextWriter.Null, cli.Environment, stop.Token), TestContext.Current.CancellationToken);

        var first = await Round(watch, synchronized, output, 1);
        File.AppendAllText(file, string.Concat(lines.Skip(half).Select(l => l + "\n")));
        var second = await Round(watch, synchronized, output, 2);
        await stop.CancelAsync();
        var exit = await watch.WaitAsync(Patience, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        Assert.Equal((1, firstNodes), (first["new_conversations"]!.GetValue<int>(), first["new_nodes"]!.GetValue<int>()));
        Assert.Equal((0, nodes - firstNodes), (second["new_conversations"]!.GetValue<int>(), second["new_nodes"]!.GetValue<int>()));
        Assert.Equal(file, Assert.Single(second["files"]!.AsArray())!["file"]!.GetValue<string>());
        var conversation = JsonNode.Parse(Assert.Single(cli.Run("ls", "--json").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal(nodes, conversation["nodes"]!.GetValue<int>());
        var raw = cli.Run("show", conversation["id"]!.GetValue<string>(), "--raw");
        Assert.Equal(lines, raw.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(File.Exists(Path.Combine(cli.ArchiveDir, "import-watch.json")));
        Assert.Equal(0, cli.Run("verify").Exit);
    }

    [Fact]
    public void Import_FolderWithNothingImportable_FailsAndSaysWhichFilesItSkippedAndWhy()
    {
        using var cli = new CliRunner();
        var folder = cli.Combine("logs");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.jsonl"), "{\"type\":\"user\",\"sessionId\":\"s1\"}\n");
        File.WriteAllText(Path.Combine(folder, "b.txt"), "text\n");

        var (exit, output, err) = cli.Run("import", folder, "--json");
        var text = cli.Run("import", folder);

        Assert.NotEqual(0, exit);
        var summary = JsonNode.Parse(output)!;
        var skipped = Assert.Single(summary["skipped"]!.AsArray())!;
        Assert.Equal(Path.Combine(folder, "a.jsonl"), skipped["path"]!.GetValue<string>());
        Assert.Contains("claude-code expects", skipped["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, summary["ignored"]!["by_extension"]![".txt"]!.GetValue<int>());
        Assert.Contains("no importable file found", summary["errors"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(0, text.Exit);
        Assert.Contains($"amber: skipped {Path.Combine(folder, "a.jsonl")}: format not recognized", text.Err, StringComparison.Ordinal);
        Assert.Contains("not read as conversations: 1 files (.txt ×1)", text.Err, StringComparison.Ordinal);
        Assert.Empty(err.Trim());
    }

    /// <summary>Waits until the watch printed its <paramref name="n"/>th round (a JSON line with "round": n) and returns it.</summary>
    private static async Task<JsonNode> Round(Task<int> watch, TextWriter synchronized, StringWriter output, int n)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            string text;
            lock (synchronized)
            {
                text = output.ToString();
            }

            var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).FirstOrDefault(l => l["round"]?.GetValue<int>() == n);
            if (line is not null)
            {
                return line;
            }

            Assert.False(watch.IsCompleted, $"the watch ended before round {n}: {text}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"no round {n} within {Patience}");
    }
}
