using System.Text.Json.Nodes;

namespace Amber.Cli.Tests;

/// <summary>Settings: defaults, then amber.json (or --config FILE), then AMBER_* variables, then flags.</summary>
public sealed class ConfigCommandTests
{
    private const string Token = "0123456789abcdef0123456789abcdef-secret";

    [Fact]
    public void ConfigShow_FileThenVariableThenFlag_LaterLayersWinAndEachSourceIsNamed()
    {
        using var cli = new CliRunner();
        Directory.CreateDirectory(cli.ArchiveDir);
        File.WriteAllText(Path.Combine(cli.ArchiveDir, "amber.json"), """
            { "Serve": { "Listen": "127.0.0.1:9001", "HostNames": ["a.example", "b.example"] },
              "Gateway": { "Ack": "async", "OpenAiUpstream": "https://user:pw@openai.example" } }
            """);
        var environment = new Dictionary<string, string?> { ["AMBER_SERVE__LISTEN"] = "127.0.0.1:9002", ["AMBER_TOKEN"] = Token, ["HOME"] = "/elsewhere" };

        var settings = Show(cli, environment, "config", "show", "--json");

        Assert.Equal(Path.Combine(cli.ArchiveDir, "amber.json"), settings["file"]!.GetValue<string>());
        Assert.Equal(("127.0.0.1:9002", "env AMBER_SERVE__LISTEN"), Get(settings, "Serve:Listen"));
        Assert.Equal(("async", "file " + Path.Combine(cli.ArchiveDir, "amber.json")), Get(settings, "Gateway:Ack"));
        Assert.Equal(("https://api.anthropic.com", "default"), Get(settings, "Gateway:AnthropicUpstream"));
        Assert.Equal("env AMBER_TOKEN", Get(settings, "Serve:Token").Source);
        Assert.Equal("flag --archive", Get(settings, "Archive").Source);
        var hosts = Entry(settings, "Serve:HostNames")["value"]!.AsArray().Select(v => v!.GetValue<string>());
        Assert.Equal(["a.example", "b.example"], hosts);

        // Secrets and credentials in URLs are never printed, in JSON or in the table.
        var table = Run(cli, environment, "config", "show").Out;
        foreach (var text in new[] { settings.ToJsonString(), table })
        {
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
            Assert.DoesNotContain("pw@", text, StringComparison.Ordinal);
        }

        Assert.Contains("Serve:Listen", table, StringComparison.Ordinal);
        Assert.Contains("env AMBER_SERVE__LISTEN", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_AFlag_WinsOverTheVariable()
    {
        using var cli = new CliRunner();
        var environment = new Dictionary<string, string?> { ["AMBER_GATEWAY__ACK"] = "sometimes" };

        // The variable alone is read (and refused); with --ack the flag wins and serve gets as far as the bad --listen.
        var fromVariable = Run(cli, environment, "serve", "--listen", "127.0.0.1:0");
        Assert.Equal(2, fromVariable.Exit);
        Assert.Contains("Gateway:Ack (env AMBER_GATEWAY__ACK)", fromVariable.Err, StringComparison.Ordinal);

        var (exit, _, err) = Run(cli, environment, "serve", "--listen", "not-an-endpoint", "--ack", "durable");
        Assert.Equal(2, exit);
        Assert.DoesNotContain("Gateway:Ack", err, StringComparison.Ordinal);
        Assert.Contains("not-an-endpoint", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_AnInvalidAckInTheSettingsFile_IsAUsageErrorNamingTheFile()
    {
        using var cli = new CliRunner();
        var file = cli.Combine("settings.json");
        File.WriteAllText(file, """{ "Gateway": { "Ack": "sometimes" } }""");

        var (exit, _, err) = Run(cli, new Dictionary<string, string?>(), "--config", file, "serve", "--listen", "127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains("Gateway:Ack (file " + file + ")", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_AConfigFile_ReplacesTheArchivesAmberJsonAndCanNameTheArchive()
    {
        using var cli = new CliRunner();
        var elsewhere = cli.Combine("elsewhere");
        var file = cli.Combine("settings.json");
        File.WriteAllText(file, $$"""{ "Archive": "{{elsewhere.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "Proxy": { "Listen": "127.0.0.1:7001" } }""");

        // No --archive here (CliRunner adds one): the file names it.
        var output = new StringWriter();
        var exit = await AmberCli.RunAsync(["--config", file, "config", "show", "--json"], output, TextWriter.Null, new Dictionary<string, string?>(), TestContext.Current.CancellationToken);
        Assert.Equal(0, exit);
        var settings = JsonNode.Parse(output.ToString())!;
        Assert.Equal((elsewhere, "file " + file), Get(settings, "Archive"));
        Assert.Equal(("127.0.0.1:7001", "file " + file), Get(settings, "Proxy:Listen"));

        var missing = Run(cli, new Dictionary<string, string?>(), "--config", cli.Combine("nope.json"), "config", "show");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("nope.json does not exist", missing.Err, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Err) Run(CliRunner cli, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = AmberCli.RunAsync(["--archive", cli.ArchiveDir, .. args], output, error, environment, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    private static JsonNode Show(CliRunner cli, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exit, output, err) = Run(cli, environment, args);
        Assert.True(exit == 0, err);
        return JsonNode.Parse(output)!;
    }

    private static JsonNode Entry(JsonNode settings, string key) => settings["settings"]!.AsArray().Single(s => s!["key"]!.GetValue<string>() == key)!;

    private static (string? Value, string Source) Get(JsonNode settings, string key)
    {
        var entry = Entry(settings, key);
        return (entry["value"]?.GetValue<string>(), entry["source"]!.GetValue<string>());
    }
}
