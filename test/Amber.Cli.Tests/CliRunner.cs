using Amber.Storage;
using Amber.Testing;

namespace Amber.Cli.Tests;

/// <summary>Runs the amber command tree in-process against a temporary archive, capturing its output.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly TempDirectory temp = new("amber-cli");

    public string ArchiveDir => temp.Combine("archive");

    public string Combine(string name) => temp.Combine(name);

    /// <summary>The tenant keys of the archives this runner makes encrypted (AMBER_KEYS_DIR: never the user's own folder).</summary>
    public string KeysDir => temp.Combine("keys");

    /// <summary>The process's variables with AMBER_KEYS_DIR pointed at <see cref="KeysDir"/>.</summary>
    public IReadOnlyDictionary<string, string?> Environment
    {
        get
        {
            var variables = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
            variables["AMBER_KEYS_DIR"] = KeysDir;
            return variables;
        }
    }

    /// <summary>Archive options for this runner's archive, with its key folder (for encrypted archives).</summary>
    public ArchiveOptions Options(bool createIfMissing = false) => new()
    {
        Directory = ArchiveDir,
        CreateIfMissing = createIfMissing,
        KeyProvider = _ => new Amber.Storage.Keys.FileKeyProvider(KeysDir, System.Security.Cryptography.RandomNumberGenerator.Create()),
    };

    /// <summary>The archive's first segment file.</summary>
    public string FirstSegment => Path.Combine(ArchiveDir, "segments", "seg-000001.amb");

    /// <summary>Flips bits of one byte of the first segment (damage that verify must name).</summary>
    public void FlipFirstSegmentByte(int offset, byte mask)
    {
        var bytes = File.ReadAllBytes(FirstSegment);
        bytes[offset] ^= mask;
        File.WriteAllBytes(FirstSegment, bytes);
    }

    public (int Exit, string Out, string Err) Run(params string[] args) => RunWith(new Dictionary<string, string?>(), args);

    /// <summary>Runs with <paramref name="variables"/> set (or, where null, removed) over the process's environment.</summary>
    public (int Exit, string Out, string Err) RunWith(IReadOnlyDictionary<string, string?> variables, params string[] args)
    {
        var environment = new Dictionary<string, string?>(Environment, StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = AmberCli.RunAsync(["--archive", ArchiveDir, .. args], output, error, environment, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Makes the archive with <c>amber init</c>: encrypted (its default) or in the clear (<c>--no-encryption</c>).</summary>
    public void Init(bool encrypted)
    {
        var (exit, _, err) = Run(encrypted ? ["init"] : ["init", "--no-encryption"]);
        Assert.True(exit == 0, err);
    }

    /// <summary>Revives <paramref name="leaf"/> with a tiny local model, one message, four tokens, its state frozen; returns the new instance's id.</summary>
    public string ReviveFrozen(string leaf)
    {
        var model = TinyGguf.Write(Combine("tiny.gguf"), context: 4096);
        var (exit, stdout, err) = Run("revive", leaf, "-m", "local:" + model, "--no-notice", "--message", "hi", "--freeze", "--max-tokens", "4", "--json");
        Assert.True(exit == 0, err);
        return (string)System.Text.Json.Nodes.JsonNode.Parse(stdout)!["instance"]!;
    }

    /// <summary>Creates the archive and commits <paramref name="count"/> sample conversations.</summary>
    public List<(string Conversation, IReadOnlyList<string> Leaves, byte[] Raw)> Seed(int count)
    {
        var seeded = new List<(string, IReadOnlyList<string>, byte[])>();
        using var archive = Archive.Open(Options(createIfMissing: true));
        for (var i = 0; i < count; i++)
        {
            var (batch, cid, leaves) = SampleConversations.Create(i);
            archive.Commit(batch);
            seeded.Add((cid, leaves, batch.Blobs[batch.Conversations[0].Raw[0]].ToArray()));
        }

        return seeded;
    }

    public void Dispose() => temp.Dispose();
}
