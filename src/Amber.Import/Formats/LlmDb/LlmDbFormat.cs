using System.Text;
using Amber.Core.Model;
using Microsoft.Data.Sqlite;

namespace Amber.Import.Formats.LlmDb;

/// <summary>
/// The SQLite logs.db of Simon Willison's `llm` CLI. One conversation per conversations row (a response with
/// no conversation is its own); each response is a user node (its prompt, under a system node when the
/// system prompt changes) followed by an assistant node with its generation record, chained in time order.
/// SQLite has no source object to keep byte for byte, so the raw form of a conversation is the canonical
/// JSON of its rows (see <see cref="LlmConversationBuilder"/>).
/// </summary>
public sealed class LlmDbFormat : IConversationFormat
{
    public const string FormatName = "llm-db";

    /// <summary>The conversations' source and the models' provider.</summary>
    public const string SourceName = "llm";

    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    public string Name => FormatName;

    public FormatShape Shape { get; } = new(
        "the SQLite log database of Simon Willison's llm (logs.db, with a \"responses\" table)",
        null,
        []);

    public int DetectionOrder => 5;

    public bool Detect(ImportInput input, ReadOnlySpan<byte> head)
    {
        if (!head.StartsWith(SqliteHeader))
        {
            return false;
        }

        if (input.LocalPath is null)
        {
            // Inside a zip: the schema text on the first pages names the tables.
            return head.IndexOf("responses"u8) >= 0 && head.IndexOf("conversations"u8) >= 0;
        }

        try
        {
            using var tables = LlmLogTables.Open(input.LocalPath);
            return tables.Has("responses");
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public IEnumerable<ImportedConversation> Read(ImportInput input, CancellationToken cancellationToken)
    {
        (string Path, int Slot)? temp = null;
        var path = input.LocalPath;
        try
        {
            if (path is null)
            {
                // SQLite needs a file: copy a zip entry out first.
                temp = LlmDbScratch.Rent();
                using (var from = input.Open())
                using (var to = new FileStream(temp.Value.Path, Amber.Storage.FileSystem.OwnerOnly.Create(FileMode.Create, FileAccess.Write)))
                {
                    from.CopyTo(to);
                }

                path = temp.Value.Path;
            }

            foreach (var c in ReadDatabase(input, path, cancellationToken))
            {
                yield return c;
            }
        }
        finally
        {
            if (temp is { } t)
            {
                LlmDbScratch.Return(t.Path, t.Slot);
            }
        }
    }

    private static IEnumerable<ImportedConversation> ReadDatabase(ImportInput input, string path, CancellationToken ct)
    {
        LlmLogTables tables;
        try
        {
            tables = LlmLogTables.Open(path);
        }
        catch (SqliteException e)
        {
            throw ImportException.At(input, "database", "cannot open as SQLite: " + e.Message, e);
        }

        using (tables)
        {
            if (!tables.Has("responses"))
            {
                throw ImportException.At(input, "database", "not an llm logs.db: it has no \"responses\" table");
            }

            var conversations = Read(input, () => tables.Conversations());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            using var groups = tables.ResponsesByConversation().GetEnumerator();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (!Read(input, groups.MoveNext))
                {
                    break;
                }

                var responses = groups.Current;
                var conversationId = LlmLogTables.Str(responses[0], "conversation_id");
                var sourceId = conversationId ?? "response:" + LlmLogTables.Str(responses[0], "id");
                seen.Add(sourceId);
                var row = conversationId is null ? null : conversations.GetValueOrDefault(conversationId);
                yield return Read(input, () => new LlmConversationBuilder(tables, input, sourceId).Build(row, responses));
            }

            // Conversations that have no responses are kept too (with no nodes).
            foreach (var (id, row) in conversations)
            {
                if (!seen.Contains(id))
                {
                    yield return Read(input, () => new LlmConversationBuilder(tables, input, id).Build(row, []));
                }
            }
        }
    }

    private static T Read<T>(ImportInput input, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (SqliteException e)
        {
            throw ImportException.At(input, "database", "cannot read: " + e.Message, e);
        }
    }

    /// <summary>The model reference of a response: provider "llm", the model asked for, and the one the provider reported.</summary>
    internal static ModelReference Model(string requested, string? resolved, string? fingerprint)
        => new() { Provider = SourceName, Requested = requested, Resolved = resolved, Fingerprint = fingerprint };
}
