using System.Text.Json.Nodes;

namespace Amber.Cli.Tests.Golden;

/// <summary>
/// Every <c>--json</c> output's structure (field names and types, not values) is a reviewed contract, kept in
/// Golden/json/*.txt.
/// </summary>
public sealed class JsonShapeGoldenTests
{
    [Fact]
    public void JsonShapes_OfTheArchiveCommands_MatchTheirGoldenFiles()
    {
        using var cli = new CliRunner();
        Shape("init", cli.Run("init", "--json"));
        var seeded = cli.Seed(3);
        var leaf = seeded[1].Leaves[0];

        var file = cli.Combine("messages.jsonl");
        File.WriteAllText(file, """
            {"messages":[{"role":"user","content":"What is amber?"},{"role":"assistant","content":"Fossilized tree resin."}]}
            {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"And jet?"},{"role":"assistant","content":"Fossilized wood."}]}

            """);
        Shape("import", cli.Run("import", file, "--json"));
        Shape("ls", cli.Run("ls", "--json"), jsonLines: true);
        Shape("ls-instances", cli.Run("ls", "--instances", "--json"), jsonLines: true);
        Shape("show-conversation", cli.Run("show", seeded[0].Conversation, "--json"));
        Shape("show-instance", cli.Run("show", leaf, "--json"));
        Shape("search", cli.Run("search", "question", "--json"), jsonLines: true);
        Shape("stats", cli.Run("stats", "--json"));
        Shape("cost", cli.Run("cost", "--json"));
        Shape("verify", cli.Run("verify", "--json"));
        Shape("index-rebuild", cli.Run("index", "rebuild", "--json"));
        Shape("compact", cli.Run("compact", "--json"));
        Shape("config-show", cli.Run("config", "show", "--json"));
        Shape("mark", cli.Run("mark", leaf, "--rest", "--reason", "golden file", "--by", "tester", "--json"));
        Shape("token-create", cli.Run("token", "create", "--tenant", "acme", "--scope", "read", "--expires", "30d", "--json"));
        Shape("token-list", cli.Run("token", "list", "--json"));

        var receipt = cli.Combine("r.tlog-proof");
        Assert.Equal(0, cli.Run("log", "proof", seeded[2].Leaves[0], "-o", receipt).Exit);
        Shape("log-verify-receipt", cli.Run("log", "verify-receipt", receipt, "--vkey", cli.Run("log", "vkey").Out.Trim(), "--json"));

        var bag = cli.Combine("bag");
        Shape("export", cli.Run("export", "--bagit", bag, "--json"));
        using var rebuilt = new CliRunner();
        Shape("import-bag", rebuilt.Run("import", bag, "--json"));
    }

    [Fact]
    public void JsonShape_OfAChangedField_FailsWithADiffNamingIt()
    {
        var before = JsonShape.Of("""{"a":1,"b":[{"c":"x"},{"c":null}]}""");
        var after = JsonShape.Of("""{"a":"1","b":[{"c":"x","d":true}]}""");

        Assert.Equal("$: object\n$.a: number\n$.b: array\n$.b[]: object\n$.b[].c: null|string\n", before);
        var diff = GoldenFile.Diff(before, after);
        Assert.Contains("- $.a: number", diff, StringComparison.Ordinal);
        Assert.Contains("+ $.a: string", diff, StringComparison.Ordinal);
        Assert.Contains("+ $.b[].d: boolean", diff, StringComparison.Ordinal);
    }

    private static void Shape(string name, (int Exit, string Out, string Err) run, bool jsonLines = false)
    {
        Assert.True(run.Exit == 0, $"{name}: exit {run.Exit}: {run.Err}");
        Assert.NotNull(JsonNode.Parse(jsonLines ? run.Out.Split('\n')[0] : run.Out));
        GoldenFile.Assert(Path.Combine("json", name + ".txt"), JsonShape.Of(run.Out, jsonLines));
    }
}
