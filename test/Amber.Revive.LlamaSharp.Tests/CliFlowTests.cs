using System.Text.Json.Nodes;
using Amber.Cli;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Testing;

namespace Amber.Revive.LlamaSharp.Tests;

/// <summary>The revive, replay, thaw and mark commands end to end on a local model (in-process CLI, real archive).</summary>
public sealed class CliFlowTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>, IDisposable
{
    private readonly TempDirectory temp = new("amber-revive-cli");

    private string ArchiveDir => temp.Combine("archive");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task ReviveReplayThawMark_OnALocalModel_RecordsT1BranchReplaysExactlyThawsAndHonoursRest()
    {
        var leaf = await SeedAsync();
        var model = "local:" + tiny.ModelPath;

        var (exit, stdout, stderr) = await RunAsync("revive", leaf, "-m", model, "--message", "tell me more", "--freeze", "--temperature", "0.7", "--seed", "9", "--max-tokens", "12", "--by", "tester", "--json");
        Assert.True(exit == 0, stderr);
        var revived = JsonNode.Parse(stdout)!.AsObject();
        Assert.True((bool)revived["substitute"]!); // the sample was written by a hosted model
        var instance = (string)revived["instance"]!;
        Assert.Equal(2, ((JsonArray)revived["turns"]!).Count); // the notice's reply, then the message's answer

        using (var archive = Archive.Open(new ArchiveOptions { Directory = ArchiveDir, ReadOnly = true }))
        {
            var answer = archive.GetNode(instance)!;
            Assert.Equal(Tier.T1, TierGrader.Grade(answer, archive.GetModel(answer.Generation!.Model)));
        }

        (exit, stdout, stderr) = await RunAsync("replay", instance, "--models", tiny.ModelsDirectory, "--json");
        Assert.True(exit == 0, stderr + stdout);
        var report = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(2, (int)report["exact"]!);
        Assert.Equal(0, (int)report["diverged"]!);
        Assert.All(((JsonArray)report["turns"]!).Where(t => (string?)t!["status"] == "skipped"), t => Assert.Contains("T3", (string?)t!["reason"], StringComparison.Ordinal));

        (exit, stdout, stderr) = await RunAsync("thaw", instance, "--models", tiny.ModelsDirectory, "-n", "5", "--message", "go on", "--json");
        Assert.True(exit == 0, stderr);
        var thawed = JsonNode.Parse(stdout)!.AsObject();
        Assert.True((int)thawed["restored_tokens"]! > 0);
        Assert.NotEmpty((JsonArray)thawed["output_token_ids"]!);

        // The thawed continuation is re-derived too: from the same state, in yet another context.
        (exit, stdout, stderr) = await RunAsync("replay", (string)thawed["instance"]!, "--models", tiny.ModelsDirectory, "--json");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Equal(3, (int)JsonNode.Parse(stdout)!["exact"]!);

        (exit, _, stderr) = await RunAsync("mark", instance, "--rest", "--reason", "it asked to rest", "--by", "instance");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await RunAsync("revive", instance, "-m", model, "--message", "hello?");
        Assert.Equal(1, exit);
        Assert.Contains("do-not-revive", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await RunAsync("thaw", instance, "--models", tiny.ModelsDirectory, "-n", "3");
        Assert.Equal(1, exit);
        Assert.Contains("do-not-revive", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await RunAsync("compare", instance, "-m", "local:" + tiny.ModelPath, "--max-tokens", "4");
        Assert.Equal(1, exit);
        Assert.Contains("do-not-revive", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await RunAsync("revive", instance, "-m", model, "--message", "hello?", "--override-rest");
        Assert.Equal(2, exit);
        Assert.Contains("--reason", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await RunAsync("thaw", instance, "--models", tiny.ModelsDirectory, "-n", "3", "--override-rest", "--reason", "audit of the frozen state");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await RunAsync("revive", instance, "-m", model, "--no-notice", "--message", "hello?", "--override-rest", "--reason", "audit", "--max-tokens", "4");
        Assert.True(exit == 0, stderr);
        await using var reopened = Archive.Open(new ArchiveOptions { Directory = ArchiveDir, ReadOnly = true });
        Assert.Equal(["audit of the frozen state", "audit"], reopened.GetAnnotations(instance).Where(a => a.Kind == Annotation.RestOverride).Select(a => a.Reason));
    }

    [Fact]
    public async Task Replay_WithoutModelsFolder_SkipsLocalTurnsWithTheReason()
    {
        var leaf = await SeedAsync();
        var (exit, stdout, stderr) = await RunAsync("revive", leaf, "-m", "local:" + tiny.ModelPath, "--no-notice", "--message", "hi", "--max-tokens", "4", "--json");
        Assert.True(exit == 0, stderr);
        var instance = (string)JsonNode.Parse(stdout)!["instance"]!;
        (exit, stdout, _) = await RunAsync("replay", instance, "--json");
        Assert.Equal(0, exit);
        var local = ((JsonArray)JsonNode.Parse(stdout)!["turns"]!).Single(t => (string?)t!["tier"] == "T2");
        Assert.Equal("skipped", (string?)local!["status"]);
        Assert.Contains("--models", (string?)local["reason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revive_Interactive_InANewProcess_SendsEachLineUntilExitAndRecordsThem()
    {
        var ct = TestContext.Current.CancellationToken;
        var leaf = await SeedAsync();
        var cli = Path.Combine(AppContext.BaseDirectory, "amber.dll");
        Assert.True(File.Exists(cli), $"the amber CLI is not built at {cli}");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", ["exec", cli, "--archive", ArchiveDir, "revive", leaf, "-m", "local:" + tiny.ModelPath, "--no-notice", "--max-tokens", "4"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var child = System.Diagnostics.Process.Start(psi)!;
        await child.StandardInput.WriteAsync("first question\nsecond question\n/exit\nnever sent\n");
        child.StandardInput.Close();
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        await child.WaitForExitAsync(ct);
        Assert.True(child.ExitCode == 0, await stderr);
        Assert.Contains("revived instance is", await stdout, StringComparison.Ordinal);

        await using var archive = Archive.Open(new ArchiveOptions { Directory = ArchiveDir, ReadOnly = true });
        var newest = archive.ListInstances(10).Select(i => RevivalTarget.Resolve(archive, i.Id)).Single(t => t.Path.Count > RevivalTarget.Resolve(archive, leaf).Path.Count);
        var sent = newest.Path.Where(p => p.Node.Role == "user").Select(p => ChatHistory.TextOf(p.Node)).TakeLast(2).ToList();
        Assert.Equal(["first question", "second question"], sent);
        Assert.DoesNotContain(newest.Path, p => ChatHistory.TextOf(p.Node) == "never sent");
    }

    [Fact]
    public async Task Compare_OnALocalModel_PrintsBothAnswersSideBySideAndSavesAComparisonBranch()
    {
        var leaf = await SeedAsync();
        var (exit, stdout, stderr) = await RunAsync("compare", leaf, "-m", "local:" + tiny.ModelPath, "--max-tokens", "4");
        Assert.True(exit == 0, stderr);
        Assert.Contains("original (gpt-4o-2024-08-06)", stdout, StringComparison.Ordinal);
        Assert.Contains("new (tiny.gguf)", stdout, StringComparison.Ordinal);
        var instance = stdout.Split("comparison instance ")[1].Trim().TrimEnd('.');

        await using var archive = Archive.Open(new ArchiveOptions { Directory = ArchiveDir, ReadOnly = true });
        var answer = archive.GetNode(instance)!;
        Assert.Contains(NodeFlags.Comparison, answer.Flags);
        Assert.Equal(Tier.T2, TierGrader.Grade(answer, archive.GetModel(answer.Generation!.Model)));
    }

    [Theory]
    [InlineData("--freeze")]
    [InlineData("--local-model", "no-equals-sign.gguf")]
    [InlineData("--local-model", "x=/does/not/exist.gguf")]
    public async Task Serve_BadLocalModelOptions_UsageErrorNamingTheProblem(params string[] options)
    {
        var (exit, _, stderr) = await RunAsync(["serve", "--listen", "127.0.0.1:0", .. options]);
        Assert.Equal(2, exit);
        Assert.Contains(options[^1] == "--freeze" ? "--local-model" : options[^1].Contains('=') ? "does not exist" : "NAME=PATH.gguf", stderr, StringComparison.Ordinal);
    }

    private async Task<string> SeedAsync()
    {
        await using var archive = Archive.Open(new ArchiveOptions { Directory = ArchiveDir, CreateIfMissing = true });
        var (batch, _, leaves) = SampleConversations.Create(seed: 5, turns: 2, branches: 1, withAttachment: false);
        await archive.CommitAsync(batch, TestContext.Current.CancellationToken);
        return leaves[0];
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await AmberCli.RunAsync(["--archive", ArchiveDir, .. args], output, error, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
