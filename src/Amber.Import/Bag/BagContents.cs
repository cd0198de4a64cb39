using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Amber.Core.Hashing;
using Amber.Core.Model;
using Amber.Storage;
using Amber.Transparency.Checkpoints;
using Amber.Transparency.Merkle;
using Amber.Transparency.Notes;
using Amber.Transparency.Receipts;

namespace Amber.Import.Bag;

/// <summary>
/// Everything a bag holds, read and checked before anything is committed: the manifests, the checkpoint's signature
/// with the bag's verifier key, each entry's receipt against that checkpoint, each record's id, and each entry's
/// digests against the node, blob, model and annotation ids the bag gives for it. Any fault names the file.
/// </summary>
internal sealed class BagContents
{
    private const string CommitsFile = "data/log/commits.jsonl";

    /// <summary>
    /// A member named twice is refused at the parse: a lazily built object threw ArgumentException on first use instead,
    /// out of the reader (found by fuzzing, the bag target).
    /// </summary>
    private static readonly System.Text.Json.JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private BagContents(string root) => Root = root;

    public string Root { get; }

    public Dictionary<string, string> Info { get; } = new(StringComparer.Ordinal);

    public required NoteVerifierKey Key { get; init; }

    public required Checkpoint Checkpoint { get; init; }

    public long SinceSize { get; private set; }

    public byte[] SinceRoot { get; private set; } = [];

    public string? Tenant { get; private set; }

    public List<BagCommit> Commits { get; } = [];

    public Dictionary<string, byte[]> Nodes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Models { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Annotations { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Blobs { get; } = new(StringComparer.Ordinal);

    public int ConversationFiles { get; private set; }

    public static BagContents Read(string root)
    {
        var payload = BagManifests.Check(root);
        var info = ReadInfo(root);
        var vkeyText = Text(root, "data/log/vkey").Trim();
        if (!NoteVerifierKey.TryParse(vkeyText, out var key, out var keyError))
        {
            throw new BagRefusedException("data/log/vkey", $"not a verifier key: {keyError}");
        }

        var opened = Checkpoint.Open(File.ReadAllBytes(PathOf(root, "data/log/checkpoint")), new NoteVerifier(key), key.Name);
        if (!opened.IsValid)
        {
            throw new BagRefusedException("data/log/checkpoint", $"not a checkpoint signed by data/log/vkey: {opened.Failure}");
        }

        var bag = new BagContents(root) { Key = key, Checkpoint = opened.Checkpoint! };
        foreach (var (k, v) in info)
        {
            bag.Info[k] = v;
        }

        bag.ReadHeader();
        bag.ReadRecords(payload);
        bag.ReadCommits();
        return bag;
    }

    public byte[] Blob(string id)
        => Blobs.Contains(id) ? File.ReadAllBytes(PathOf(Root, "data/blobs/" + id[ContentId.Prefix.Length..])) : throw new BagRefusedException("data/blobs/", $"has no file for blob {id}.");

    public static string PathOf(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    private void ReadHeader()
    {
        if (Info.GetValueOrDefault("Amber-Bag-Format") != Storage.Export.BagExport.FormatName)
        {
            throw new BagRefusedException("bag-info.txt", $"Amber-Bag-Format is not {Storage.Export.BagExport.FormatName}; this is not a bag amber export wrote.");
        }

        if (!long.TryParse(Info.GetValueOrDefault("Amber-Since-Tree-Size"), NumberStyles.None, CultureInfo.InvariantCulture, out var since) || since > Checkpoint.Size
            || !long.TryParse(Info.GetValueOrDefault("Amber-Tree-Size"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size != Checkpoint.Size)
        {
            throw new BagRefusedException("bag-info.txt", "Amber-Since-Tree-Size or Amber-Tree-Size is missing or disagrees with data/log/checkpoint.");
        }

        SinceSize = since;
        try
        {
            SinceRoot = Convert.FromBase64String(Info.GetValueOrDefault("Amber-Since-Root") ?? "");
        }
        catch (FormatException)
        {
            SinceRoot = [];
        }

        if (SinceRoot.Length != MerkleHash.Size)
        {
            throw new BagRefusedException("bag-info.txt", "Amber-Since-Root is not a base64 SHA-256 root.");
        }

        Tenant = Info.GetValueOrDefault("Amber-Tenant");
        if (since > 0)
        {
            var proof = Text(Root, "data/log/consistency").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Base64("data/log/consistency")).ToList();
            var result = since == Checkpoint.Size
                ? (SinceRoot.AsSpan().SequenceEqual(Checkpoint.RootHash.Span) ? Transparency.VerificationResult.Valid : Transparency.VerificationResult.Invalid("the roots differ"))
                : MerkleProofs.VerifyConsistency(since, Checkpoint.Size, proof, SinceRoot, Checkpoint.RootHash.Span);
            if (!result.IsValid)
            {
                throw new BagRefusedException("data/log/consistency", $"does not prove that the checkpoint extends the log at size {since}: {result.Failure}");
            }
        }
    }

    private void ReadRecords(Dictionary<string, string> payload)
    {
        foreach (var (file, digest) in payload)
        {
            if (file.StartsWith("data/blobs/", StringComparison.Ordinal))
            {
                var hex = file["data/blobs/".Length..];
                if (hex != digest)
                {
                    throw new BagRefusedException(file, "its name is not the SHA-256 of its bytes.");
                }

                Blobs.Add(ContentId.Prefix + hex);
            }
            else if (file.StartsWith("data/conversations/", StringComparison.Ordinal))
            {
                ReadConversation(file);
            }
        }

        ReadLines("data/models.jsonl", (id, bytes) => Models[id] = bytes);
        ReadLines("data/annotations.jsonl", (id, bytes) => Annotations[id] = bytes);
    }

    private void ReadConversation(string file)
    {
        ConversationFiles++;
        var lines = Lines(file);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(lines.FirstOrDefault() ?? [], documentOptions: Strict) as JsonObject ?? throw new FormatException("not an object");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException)
        {
            throw new BagRefusedException(file, $"line 1 is not the conversation header: {e.Message}");
        }

        string? id;
        ConversationRecord? record;
        try
        {
            id = header["id"]?.GetValue<string>();
            record = header["record"] is JsonObject o ? ConversationRecord.FromJson(o) : null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            // Found by fuzzing: a record without "format" or "source_id" escaped as a FormatException, naming no file.
            throw new BagRefusedException(file, $"line 1 is not the conversation header: {e.Message}");
        }

        if (id is null || !id.StartsWith(ContentId.Prefix, StringComparison.Ordinal) || file != $"data/conversations/{id[ContentId.Prefix.Length..]}.jsonl" || record is null || record.Id != id)
        {
            throw new BagRefusedException(file, "the header's id is not the file's name or not its record's identity hash.");
        }

        foreach (var line in lines.Skip(1))
        {
            Nodes[ContentId.Of(line)] = line;
        }
    }

    private void ReadLines(string file, Action<string, byte[]> add)
    {
        foreach (var line in Lines(file))
        {
            add(ContentId.Of(line), line);
        }
    }

    private List<byte[]> Lines(string file)
    {
        var bytes = File.ReadAllBytes(PathOf(Root, file));
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        if (start != bytes.Length)
        {
            throw new BagRefusedException(file, "its last line does not end in a newline.");
        }

        return lines;
    }

    private void ReadCommits()
    {
        var verifier = new NoteVerifier(Key);
        var lineNumber = 0;
        var expected = SinceSize + 1;
        foreach (var line in Lines(CommitsFile))
        {
            lineNumber++;
            var where = $"line {lineNumber}";
            BagCommit commit;
            try
            {
                commit = Parse((JsonObject)JsonNode.Parse(line, documentOptions: Strict)!);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException or InvalidCastException or NullReferenceException or ArgumentException)
            {
                // ArgumentException: an id listed twice in the entry (ToDictionary).
                throw new BagRefusedException(CommitsFile, $"{where} is not a commit line: {e.Message}");
            }

            if (Tenant is null && commit.Seq != expected)
            {
                throw new BagRefusedException(CommitsFile, $"{where} is commit {commit.Seq}, expected {expected}: the bag's log has a gap.");
            }

            expected = commit.Seq + 1;
            var proofFile = $"data/log/proofs/{(commit.Seq - 1).ToString(CultureInfo.InvariantCulture)}.tlog-proof";
            if (!File.Exists(PathOf(Root, proofFile)) || !TlogProof.TryParse(File.ReadAllBytes(PathOf(Root, proofFile)), out var receipt, out var error))
            {
                throw new BagRefusedException(proofFile, "missing or not a c2sp.org/tlog-proof@v1 receipt.");
            }

            var verified = receipt.Verify(verifier, MerkleHash.HashLeaf(commit.Entry), Key.Name);
            if (!verified.IsValid || receipt.Index != commit.Seq - 1 || receipt.Checkpoint.Size != Checkpoint.Size || !receipt.Checkpoint.RootHash.Span.SequenceEqual(Checkpoint.RootHash.Span))
            {
                throw new BagRefusedException(proofFile, $"does not prove commit {commit.Seq}'s entry in data/log/checkpoint{(verified.IsValid ? "" : ": " + verified.Failure)}.");
            }

            CheckDigests(commit, where);
            Commits.Add(commit);
        }

        if (Tenant is null && expected != Checkpoint.Size + 1)
        {
            throw new BagRefusedException(CommitsFile, $"ends at commit {expected - 1}, but data/log/checkpoint covers {Checkpoint.Size}.");
        }
    }

    private static BagCommit Parse(JsonObject o)
    {
        var entry = Encoding.UTF8.GetBytes(o["entry"]!.GetValue<string>());
        var info = (JsonObject)JsonNode.Parse(entry, documentOptions: Strict)!;
        var seq = o["seq"]!.GetValue<long>();
        if (info["seq"]!.GetValue<long>() != seq)
        {
            throw new FormatException($"its entry is commit {info["seq"]}, not {seq}");
        }

        var raw = (info["conversations"] as JsonArray ?? []).ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!["raw"]!.AsArray().Select(r => r!.GetValue<string>()).ToList(), StringComparer.Ordinal);
        return new BagCommit
        {
            Seq = seq,
            Entry = entry,
            Info = info,
            Conversations = o["conversations"]!.AsArray().Select(c => (
                c!["id"]!.GetValue<string>(),
                (JsonObject)c["record"]!,
                c["nodes"]!.AsArray().Select(n => n!.GetValue<string>()).ToList(),
                raw.GetValueOrDefault(c["id"]!.GetValue<string>()) ?? [])).ToList(),
            Blobs = o["blobs"]!.AsArray().Select(b => b!.GetValue<string>()).ToList(),
            Models = (info["models"] as JsonArray ?? []).Select(m => m!.GetValue<string>()).ToList(),
            Annotations = o["annotations"]!.AsArray().Select(a => a!.GetValue<string>()).ToList(),
        };
    }

    /// <summary>
    /// The identity hash of a conversation record as a commit line gives it, or null when it is not a record (found by
    /// fuzzing: a record without "format", or with a string that is not text, escaped the reader, crashing the import).
    /// </summary>
    private static string? RecordId(JsonObject record)
    {
        try
        {
            return ConversationRecord.FromJson(record).Id;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Ties the bag's lists to the signed entry: each digest and count, and every id the bag must hold.</summary>
    private void CheckDigests(BagCommit commit, string where)
    {
        void Fault(string what) => throw new BagRefusedException(CommitsFile, $"{where} (commit {commit.Seq}): {what}");
        var listed = commit.Info["conversations"] as JsonArray ?? [];
        if (listed.Count != commit.Conversations.Count)
        {
            Fault("its conversations are not the entry's.");
        }

        for (var i = 0; i < listed.Count; i++)
        {
            var (id, record, nodes, _) = commit.Conversations[i];
            var signed = listed[i]!;
            if (signed["id"]!.GetValue<string>() != id || RecordId(record) != id
                || signed["nodes_sha256"]!.GetValue<string>() != Digest(nodes) || signed["node_count"]!.GetValue<int>() != nodes.Count)
            {
                Fault($"conversation {id}: its record or nodes are not the ones the entry signs.");
            }

            if (nodes.FirstOrDefault(n => !Nodes.ContainsKey(n)) is { } missing)
            {
                Fault($"node {missing} of conversation {id} is in no file of data/conversations/.");
            }
        }

        if (commit.Info["blobs_sha256"]!.GetValue<string>() != Digest(commit.Blobs) || commit.Info["blob_count"]!.GetValue<int>() != commit.Blobs.Count)
        {
            Fault("its blobs are not the ones the entry signs.");
        }

        if (commit.Blobs.FirstOrDefault(b => !Blobs.Contains(b)) is { } blob)
        {
            Fault($"blob {blob} is not in data/blobs/.");
        }

        if (commit.Models.FirstOrDefault(m => !Models.ContainsKey(m)) is { } model)
        {
            Fault($"model reference {model} is not in data/models.jsonl.");
        }

        var annotations = (commit.Info["annotations"] as JsonArray ?? []).Select(a => a!.GetValue<string>());
        if (!annotations.SequenceEqual(commit.Annotations) || commit.Annotations.FirstOrDefault(a => !Annotations.ContainsKey(a)) is { })
        {
            Fault("its annotations are not the entry's, or not in data/annotations.jsonl.");
        }
    }

    private static string Digest(List<string> ids) => ContentId.Of(Encoding.UTF8.GetBytes(string.Join('\n', ids)));

    private static Func<string, byte[]> Base64(string file) => s =>
    {
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            throw new BagRefusedException(file, $"\"{s}\" is not base64.");
        }
    };

    private static string Text(string root, string relative)
        => File.Exists(PathOf(root, relative)) ? File.ReadAllText(PathOf(root, relative), Encoding.UTF8) : throw new BagRefusedException(relative, "missing.");

    private static Dictionary<string, string> ReadInfo(string root)
    {
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Text(root, "bag-info.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                info[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return info;
    }
}
