using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Cli.Tests.Hardening;
using Amber.Testing;

namespace Amber.Cli.Tests.Bag;

/// <summary>
/// <c>amber export --bagit</c> then <c>amber import BAG</c>: the bag validates with a BagIt checker that is not the
/// exporter's, and the rebuilt archive has the same ids, the same <c>ls --json</c> lines, the same log root, and the
/// original receipts verify with the bag's (the original) verifier key against the rebuilt log. A changed, missing or
/// extra file is refused with its name and nothing is committed.
/// </summary>
public sealed class BagExportImportTests
{
    [Fact]
    public void RealCorpus_ExportValidateImport_RebuildsTheSameArchive()
    {
        var corpus = SharedData.PathTo("corpus");
        if (corpus is null || !Directory.Exists(corpus))
        {
            Assert.Skip(SharedData.MissingMessage);
        }

        using var source = new CliRunner();
        var folders = Directory.GetDirectories(corpus!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(0, source.Run(["import", .. folders]).Exit);
        var bag = source.Combine("bag");
        RoundTrip(source, bag);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FrozenState_TravelsAsAFileOfTheBag_AndTheRebuiltArchiveHoldsIt(bool encrypted)
    {
        using var source = new CliRunner();
        source.Init(encrypted);
        var seeded = source.Seed(1);
        var instance = source.ReviveFrozen(seeded[0].Leaves[0]);
        var shown = source.Run("show", instance, "--json").Out;
        var state = System.Text.RegularExpressions.Regex.Match(shown, "\"state\":\\s*\"(sha256:[0-9a-f]{64})\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(state), $"no frozen state in: {shown}");
        var bag = source.Combine("bag");

        using var target = RoundTrip(source, bag, encrypted);

        var file = Path.Combine(bag, "data", "blobs", state["sha256:".Length..]);
        Assert.True(File.Exists(file), $"the frozen state {state} is not a file of the bag");
        Assert.Equal(state, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))));
        Assert.Equal(shown, target.Run("show", instance, "--json").Out);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GatewayArchive_ExportValidateImport_RebuildsTheSameArchive(bool encrypted)
    {
        using var source = new CliRunner();
        source.Init(encrypted);
        var instances = await RecordThroughGateway(source, ("key-one", "First answer."), ("key-two", "Second answer."));
        var bag = source.Combine("bag");
        using var target = RoundTrip(source, bag, encrypted);
        foreach (var instance in instances)
        {
            var (exitA, shownA, _) = source.Run("show", instance, "--json");
            var (exitB, shownB, _) = target.Run("show", instance, "--json");
            Assert.Equal((0, 0), (exitA, exitB));
            Assert.Equal(shownA, shownB);
        }

        // The recorded exchanges travel exactly as captured: every raw blob is a file named by its hash.
        var raws = Directory.GetFiles(Path.Combine(bag, "data", "conversations"))
            .SelectMany(f => ((JsonObject)JsonNode.Parse(File.ReadLines(f).First())!)["raw"]!.AsArray().Select(r => r!.GetValue<string>()));
        foreach (var raw in raws)
        {
            var bytes = File.ReadAllBytes(Path.Combine(bag, "data", "blobs", raw["sha256:".Length..]));
            Assert.Equal(raw, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
            Assert.Contains("amber.exchange/v1", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("changed")]
    [InlineData("missing")]
    [InlineData("extra")]
    [InlineData("changed-proof")]
    public void DamagedBag_IsRefusedNamingTheFile_AndNothingIsCommitted(string damage)
    {
        using var source = new CliRunner();
        var seeded = source.Seed(3);
        var bag = source.Combine("bag");
        Assert.Equal(0, source.Run("export", "--bagit", bag).Exit);
        var node = Path.Combine(bag, "data", "conversations", seeded[1].Conversation["sha256:".Length..] + ".jsonl");
        var proof = Path.Combine(bag, "data", "log", "proofs", "1.tlog-proof");
        var named = damage switch
        {
            "changed" => Flip(node),
            "missing" => Delete(node),
            "extra" => Add(Path.Combine(bag, "data", "blobs", "note.txt")),
            _ => Flip(proof),
        };

        using var target = new CliRunner();
        var (exit, _, err) = target.Run("import", bag);
        Assert.Equal(1, exit);
        Assert.Contains(named, err, StringComparison.Ordinal);
        Assert.Contains("nothing was imported", err, StringComparison.Ordinal);
        Assert.Equal("", target.Run("ls", "--json").Out);
        Assert.NotEqual(0, target.Run("log", "checkpoint").Exit); // no commit, so no checkpoint was signed
    }

    [Fact]
    public void ChangedNode_WithManifestsWrittenAgain_IsStillRefusedByTheSignedLog()
    {
        using var source = new CliRunner();
        var seeded = source.Seed(2);
        var bag = source.Combine("bag");
        Assert.Equal(0, source.Run("export", "--bagit", bag).Exit);
        var file = Path.Combine(bag, "data", "conversations", seeded[0].Conversation["sha256:".Length..] + ".jsonl");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"role\":\"user\"", "\"role\":\"resu\"", StringComparison.Ordinal));
        Rehash(bag, "manifest-sha256.txt");
        Rehash(bag, "tagmanifest-sha256.txt");
        Assert.Empty(BagItValidator.Validate(bag)); // a valid bag, but not what the log signed

        using var target = new CliRunner();
        var (exit, _, err) = target.Run("import", bag);
        Assert.Equal(1, exit);
        Assert.Contains("data/log/commits.jsonl", err, StringComparison.Ordinal);
        Assert.Contains("is in no file of data/conversations/", err, StringComparison.Ordinal);
        Assert.Equal("", target.Run("ls", "--json").Out);
    }

    /// <summary>
    /// Found by fuzzing (the bag target): a commit line naming a member twice parsed lazily and threw ArgumentException
    /// on first use, out of the reader; `amber import` crashed with a stack trace.
    /// </summary>
    [Fact]
    public void CommitLineWithARepeatedMember_WithManifestsWrittenAgain_IsRefusedNamingTheFile()
    {
        using var source = new CliRunner();
        source.Seed(1);
        var bag = source.Combine("bag");
        Assert.Equal(0, source.Run("export", "--bagit", bag).Exit);
        var file = Path.Combine(bag, "data", "log", "commits.jsonl");
        File.WriteAllText(file, "{\"x\":1,\"x\":2," + File.ReadAllText(file)[1..]);
        AssertRefusedWithManifestsWrittenAgain(bag, "data/log/commits.jsonl", "line 1 is not a commit line");
    }

    /// <summary>
    /// Found by fuzzing (the bag target): a commit line whose conversation record lacks "format" escaped the check of
    /// the signed digests as a FormatException, and `amber import` crashed with a stack trace.
    /// </summary>
    [Fact]
    public void CommitLineRecordWithoutItsFormat_WithManifestsWrittenAgain_IsRefusedNamingTheFile()
    {
        using var source = new CliRunner();
        source.Seed(2);
        var bag = source.Combine("bag");
        Assert.Equal(0, source.Run("export", "--bagit", bag).Exit);
        var file = Path.Combine(bag, "data", "log", "commits.jsonl");
        var text = File.ReadAllText(file);
        Assert.Contains("\"format\":", text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace("\"format\":", "\"formats\":", StringComparison.Ordinal));
        AssertRefusedWithManifestsWrittenAgain(bag, "data/log/commits.jsonl", "its record or nodes are not the ones the entry signs");
    }

    /// <summary>
    /// Found by fuzzing (the bag target): a conversation header whose record lacks "format" escaped the reader as a
    /// FormatException naming no file, and `amber import` crashed with a stack trace.
    /// </summary>
    [Fact]
    public void ConversationHeaderWithoutItsFormat_WithManifestsWrittenAgain_IsRefusedNamingTheFile()
    {
        using var source = new CliRunner();
        var seeded = source.Seed(2);
        var bag = source.Combine("bag");
        Assert.Equal(0, source.Run("export", "--bagit", bag).Exit);
        var file = Path.Combine(bag, "data", "conversations", seeded[0].Conversation["sha256:".Length..] + ".jsonl");
        var text = File.ReadAllText(file);
        Assert.Contains("\"format\":", text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace("\"format\":", "\"formats\":", StringComparison.Ordinal));
        AssertRefusedWithManifestsWrittenAgain(bag, Name(file), "line 1 is not the conversation header");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IncrementalBag_CarriesAConsistencyProof_AndImportsOnlyOnTheEarlierBags(bool encrypted)
    {
        using var source = new CliRunner();
        source.Init(encrypted);
        source.Seed(2);
        var first = source.Combine("bag1");
        Assert.Equal(0, source.Run("export", "--bagit", first).Exit);
        using (var archive = Storage.Archive.Open(source.Options()))
        {
            archive.Commit(SampleConversations.Create(7).Batch);
        }

        var second = source.Combine("bag2");
        var (exit, printed, _) = source.Run("export", "--bagit", second, "--since", first, "--json");
        Assert.Equal(0, exit);
        var summary = JsonNode.Parse(printed)!;
        Assert.Equal((2, 3, 1), ((int)summary["since_tree_size"]!, (int)summary["tree_size"]!, (int)summary["commits"]!));
        Assert.Empty(BagItValidator.Validate(second));
        Assert.True(new FileInfo(Path.Combine(second, "data", "log", "consistency")).Length > 0);
        Assert.Single(File.ReadAllLines(Path.Combine(second, "data", "log", "commits.jsonl")));

        using var target = new CliRunner();
        target.Init(encrypted);
        var (refused, _, err) = target.Run("import", second);
        Assert.Equal(1, refused);
        Assert.Contains("bag-info.txt", err, StringComparison.Ordinal);
        Assert.Equal(0, target.Run("import", first).Exit);
        Assert.Equal(0, target.Run("import", second).Exit);
        Assert.Equal(source.Run("ls", "--json").Out, target.Run("ls", "--json").Out);
        Assert.Equal(CheckpointBody(source), CheckpointBody(target)[..CheckpointBody(source).Length].Replace(Origin(target), Origin(source), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TenantBag_HoldsOnlyThatTenantsCommits(bool encrypted)
    {
        using var source = new CliRunner();
        source.Init(encrypted);
        var instances = await RecordThroughGateway(source, ("key-one", "For tenant one."), ("key-two", "For tenant two."));
        var full = source.Combine("full");
        Assert.Equal(0, source.Run("export", "--bagit", full).Exit);
        var entries = File.ReadAllLines(Path.Combine(full, "data", "log", "commits.jsonl"))
            .Select(l => (JsonObject)JsonNode.Parse(JsonNode.Parse(l)!["entry"]!.GetValue<string>())!).ToList();
        var tenants = entries.Select(e => e["tenant"]?.GetValue<string>()).Distinct().ToList();
        Assert.Equal(2, tenants.Count);
        Assert.DoesNotContain(null, tenants);

        var bag = source.Combine("tenant");
        Assert.Equal(0, source.Run("export", "--bagit", bag, "--tenant", tenants[0]!).Exit);
        Assert.Empty(BagItValidator.Validate(bag));
        var exported = File.ReadAllLines(Path.Combine(bag, "data", "log", "commits.jsonl"));
        Assert.Equal(entries.Count(e => e["tenant"]?.GetValue<string>() == tenants[0]), exported.Length);

        using var target = new CliRunner();
        target.Init(encrypted);
        var (imported, _, importErr) = target.Run("import", bag);
        Assert.True(imported == 0, importErr);
        var shown = instances.Select(i => target.Run("show", i, "--json").Exit).ToList();
        Assert.Equal(1, shown.Count(e => e == 0)); // the other tenant's instance did not travel
    }

    /// <summary>Exports <paramref name="source"/>, validates the bag, imports it into a new archive and compares the two.</summary>
    private static CliRunner RoundTrip(CliRunner source, string bag, bool encrypted = false)
    {
        var (exported, _, exportErr) = source.Run("export", "--bagit", bag);
        Assert.True(exported == 0, exportErr);
        Assert.Empty(BagItValidator.Validate(bag));

        // A bag of an encrypted archive holds the content in the clear and no key, and says so (encryption.md §14).
        var sourceEncrypted = JsonNode.Parse(source.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>();
        Assert.Equal(sourceEncrypted, File.ReadAllText(Path.Combine(bag, "bag-info.txt")).Contains("Amber-Source-Encryption: aes-256-gcm; this bag holds the content in the clear and no key", StringComparison.Ordinal));
        Assert.Equal(sourceEncrypted, exportErr.Contains("holds its content in the clear (and no key)", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(bag, "*", SearchOption.AllDirectories), f => f.EndsWith(".keys", StringComparison.Ordinal) || f.EndsWith("keys.db", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(bag, "FORMAT.md")));

        var target = new CliRunner();
        target.Init(encrypted);
        var (imported, _, importErr) = target.Run("import", bag);
        Assert.True(imported == 0, importErr);
        Assert.Equal(encrypted, JsonNode.Parse(target.Run("stats", "--json").Out)!["encryption"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(source.Run("ls", "--json", "-n", "100000").Out, target.Run("ls", "--json", "-n", "100000").Out);
        Assert.Equal(source.Run("ls", "--instances", "--json", "-n", "100000").Out, target.Run("ls", "--instances", "--json", "-n", "100000").Out);
        Assert.Equal(0, target.Run("verify").Exit);

        // Same tree: the rebuilt log's checkpoint has the original's size and root (under the new archive's own name and key).
        Assert.Equal(CheckpointBody(source).Replace(Origin(source), "", StringComparison.Ordinal), CheckpointBody(target).Replace(Origin(target), "", StringComparison.Ordinal));

        // A receipt the original archive gave verifies with the bag's key, and the rebuilt log proves the same entry the same way.
        var leaf = JsonNode.Parse(source.Run("ls", "--instances", "--json", "-n", "1").Out.Split('\n')[0])!["id"]!.GetValue<string>();
        var receipt = source.Combine("original.tlog-proof");
        Assert.Equal(0, source.Run("log", "proof", leaf, "-o", receipt).Exit);
        var (verified, said, _) = target.Run("log", "verify-receipt", receipt, "--vkey", Path.Combine(bag, "data", "log", "vkey"), "--id", leaf);
        Assert.True(verified == 0, said);
        var rebuilt = target.Combine("rebuilt.tlog-proof");
        Assert.Equal(0, target.Run("log", "proof", leaf, "-o", rebuilt).Exit);
        Assert.Equal(ProofPart(File.ReadAllText(receipt)), ProofPart(File.ReadAllText(rebuilt)));
        return target;
    }

    private static string ProofPart(string receipt) => receipt[..receipt.IndexOf("\n\n", StringComparison.Ordinal)];

    private static string CheckpointBody(CliRunner cli)
    {
        var note = cli.Run("log", "checkpoint").Out;
        return note[..note.IndexOf("\n\n", StringComparison.Ordinal)];
    }

    private static string Origin(CliRunner cli) => CheckpointBody(cli).Split('\n')[0];

    private static async Task<List<string>> RecordThroughGateway(CliRunner cli, params (string Key, string Answer)[] calls)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var instances = new List<string>();
        await using var proxy = await RunningServer.StartAsync(cli, "proxy", "--openai-upstream", upstream.Url.ToString());
        using var http = new HttpClient { BaseAddress = proxy.Url };
        foreach (var (key, answer) in calls)
        {
            upstream.Answer(answer);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"say: {{answer}}"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            instances.Add(response.Headers.GetValues("Amber-Instance").Single());
        }

        return instances;
    }

    /// <summary>
    /// With both manifests written again for the changed bag, `amber import` refuses it naming the file and the reason,
    /// in its own words (no stack trace), and commits nothing.
    /// </summary>
    private static void AssertRefusedWithManifestsWrittenAgain(string bag, string file, string reason)
    {
        Rehash(bag, "manifest-sha256.txt");
        Rehash(bag, "tagmanifest-sha256.txt");

        using var target = new CliRunner();
        var (exit, _, err) = target.Run("import", bag);
        Assert.Equal(1, exit);
        Assert.Contains(file, err, StringComparison.Ordinal);
        Assert.Contains(reason, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Equal("", target.Run("ls", "--json").Out);
    }

    /// <summary>Rewrites every checksum of a manifest from the files as they are now.</summary>
    private static void Rehash(string bag, string manifest)
    {
        var path = Path.Combine(bag, manifest);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => l.Split("  ", 2)[1])
            .Select(f => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(bag, f)))) + "  " + f + "\n");
        File.WriteAllText(path, string.Concat(lines));
    }

    private static string Flip(string file)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        return Name(file);
    }

    private static string Delete(string file)
    {
        File.Delete(file);
        return Name(file);
    }

    private static string Add(string file)
    {
        File.WriteAllText(file, "not in the manifest");
        return Name(file);
    }

    private static string Name(string file)
    {
        var parts = file.Replace('\\', '/').Split('/');
        return string.Join('/', parts[Array.LastIndexOf(parts, "data")..]);
    }
}
