using System.Diagnostics;
using System.Text.Json;
using Amber.Cli.Infrastructure;
using Amber.Testing;
using Microsoft.Data.Sqlite;

namespace Amber.Cli.Tests;

/// <summary>Progress on long commands only on a terminal without --json or --quiet; --quiet leaves errors and --json output alone.</summary>
public sealed class ProgressAndQuietTests
{
    [Theory]
    [InlineData(true, false, false, true)]
    [InlineData(false, false, false, false)]
    [InlineData(true, true, false, false)]
    [InlineData(true, false, true, false)]
    [InlineData(true, true, true, false)]
    [InlineData(false, true, true, false)]
    public void Shows_TerminalJsonQuiet_OnlyATerminalWithNeitherFlagShowsProgress(bool terminal, bool json, bool quiet, bool expected)
        => Assert.Equal(expected, ProgressDisplay.Shows(terminal, json, quiet));

    [Theory]
    [InlineData("verify")]
    [InlineData("index", "rebuild")]
    public void LongCommand_StderrRedirectedInARealProcess_PrintsNoProgress(params string[] command)
    {
        using var cli = new CliRunner();
        cli.Seed(20);

        var (exit, output, err) = RunProcess(cli, ["--archive", cli.ArchiveDir, .. command]);

        Assert.Equal(0, exit);
        Assert.NotEmpty(output);
        Assert.Equal("", err);
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("index", "rebuild")]
    public void LongCommand_OnATerminal_ShowsProgressOnStderr(params string[] command)
    {
        // script(1) gives the process a real terminal; skipped where it is not installed.
        Assert.SkipUnless(File.Exists("/usr/bin/script"), "script(1) is not installed");
        using var cli = new CliRunner();
        cli.Seed(20);
        var args = string.Join(' ', new[] { "dotnet", "exec", Dll, "--archive", cli.ArchiveDir }.Concat(command).Select(a => $"'{a}'"));

        var (exit, terminal, _) = Run(cli, "/usr/bin/script", ["-qec", args, "/dev/null"]);
        var withJson = Run(cli, "/usr/bin/script", ["-qec", args + " --json", "/dev/null"]);

        Assert.Equal(0, exit);
        Assert.Contains($"{string.Join(' ', command)}: ", terminal, StringComparison.Ordinal); // the bar's label
        Assert.Contains("frames, ", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("frames, ", withJson.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_OnATerminal_ShowsLogEntriesOnStderr_AndRedirectedShowsNone()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/script"), "script(1) is not installed");
        using var cli = new CliRunner();
        cli.Seed(20);
        var args = string.Join(' ', new[] { "dotnet", "exec", Dll, "--archive", cli.ArchiveDir, "export", "--bagit", cli.Combine("bag-terminal") }.Select(a => $"'{a}'"));

        var (exit, terminal, _) = Run(cli, "/usr/bin/script", ["-qec", args, "/dev/null"]);
        var redirected = RunProcess(cli, ["--archive", cli.ArchiveDir, "export", "--bagit", cli.Combine("bag-redirected")]);

        Assert.Equal(0, exit);
        Assert.Contains("export: log entry ", terminal, StringComparison.Ordinal);
        Assert.Equal(0, redirected.Exit);
        Assert.Equal("", redirected.Err);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Open_ThatUpgradesTheIndex_OnATerminal_ShowsProgress_AndRedirectedShowsNone(bool encrypted)
    {
        // A migration: an index of another schema is rebuilt from the segments by the next writer's open.
        Assert.SkipUnless(File.Exists("/usr/bin/script"), "script(1) is not installed");
        var export = SharedData.PathTo(Path.Combine("corpus", "chatgpt-export-yoonchoonkoon-archive", "conversations.json"));
        Assert.SkipWhen(export is null, SharedData.MissingMessage);
        using var cli = new CliRunner();
        cli.Init(encrypted);
        Assert.Equal(0, cli.Run("import", export!).Exit); // segments well past the 1 MiB between two reports
        var args = string.Join(' ', new[] { "dotnet", "exec", Dll, "--archive", cli.ArchiveDir, "stats" }.Select(a => $"'{a}'"));

        OldSchema(cli);
        var (exit, terminal, _) = Run(cli, "/usr/bin/script", ["-qec", args, "/dev/null"]);
        OldSchema(cli);
        var redirected = RunProcess(cli, ["--archive", cli.ArchiveDir, "stats"]);

        Assert.Equal(0, exit);
        Assert.Contains("index: ", terminal, StringComparison.Ordinal);
        Assert.Contains("frames, ", terminal, StringComparison.Ordinal);
        Assert.Equal(0, redirected.Exit);
        Assert.DoesNotContain("frames, ", redirected.Err, StringComparison.Ordinal);
        Assert.Contains("rebuilding it", redirected.Err, StringComparison.Ordinal); // the migration did run
    }

    private static void OldSchema(CliRunner cli)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(cli.ArchiveDir, "index.db")};Pooling=False");
        db.Open();
        using var update = db.CreateCommand();
        update.CommandText = "UPDATE meta SET value = '6' WHERE key = 'schema'";
        Assert.Equal(1, update.ExecuteNonQuery());
    }

    [Fact]
    public void Quiet_SuccessfulVerify_PrintsNothingButKeepsTheExitCode()
    {
        using var cli = new CliRunner();
        cli.Seed(2);
        File.AppendAllText(cli.FirstSegment, "partial frame bytes"); // a torn tail: recovery notes it on stderr

        var (exit, output, err) = cli.Run("--quiet", "verify");

        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Equal("", err);
    }

    [Fact]
    public void Quiet_WithJson_StillPrintsTheJson()
    {
        using var cli = new CliRunner();
        cli.Seed(2);

        var (exit, output, _) = cli.Run("verify", "--json", "--quiet");

        Assert.Equal(0, exit);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void Quiet_FaultFound_StillPrintsTheFault()
    {
        using var cli = new CliRunner();
        cli.Seed(3);
        cli.FlipFirstSegmentByte(200, 0x20);

        var (exit, output, err) = cli.Run("verify", "--quiet");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("FAULT: seg-000001.amb at offset", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Quiet_Import_DropsNotesAndTable()
    {
        using var cli = new CliRunner();
        var folder = cli.Combine("export");
        Directory.CreateDirectory(folder);
        var export = SharedData.PathTo(Path.Combine("corpus", "chatgpt-export-chatgpt2graph", "conversations.json"));
        Assert.SkipWhen(export is null, SharedData.MissingMessage);
        File.Copy(export!, Path.Combine(folder, "conversations.json"));
        File.WriteAllText(Path.Combine(folder, "readme.txt"), "not a conversation");
        var loud = cli.Run("import", folder);
        Assert.Contains("not read as conversations", loud.Err, StringComparison.Ordinal); // what --quiet must drop

        var (exit, output, err) = cli.Run("import", folder, "--quiet");

        Assert.Equal(0, loud.Exit);
        Assert.Equal(0, exit);
        Assert.Equal("", output);
        Assert.Equal("", err);
    }

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "amber.dll");

    private static (int Exit, string Out, string Err) RunProcess(CliRunner cli, string[] args) => Run(cli, "dotnet", ["exec", Dll, .. args]);

    /// <summary>Runs a process with the runner's key folder (AMBER_KEYS_DIR), as its in-process commands have.</summary>
    private static (int Exit, string Out, string Err) Run(CliRunner cli, string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["AMBER_KEYS_DIR"] = cli.KeysDir;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
