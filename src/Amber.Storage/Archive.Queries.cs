using Amber.Core.Model;
using Amber.Storage.Reading;

namespace Amber.Storage;

/// <summary>The archive's reads: each is one query of the catalogue (<see cref="Catalogue.ArchiveCatalogue"/>), which reads the entries it needs through the segment store.</summary>
public sealed partial class Archive
{
    /// <summary>Newest first. <paramref name="before"/> continues a listing after the last (created, id) seen. The same query as <see cref="PageConversations"/>.</summary>
    public IReadOnlyList<ConversationSummary> ListConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
        => Reading(() => catalogue.Conversations.PageConversations(limit, filter, before));

    /// <summary>
    /// The one conversation list query (<see cref="ListConversations"/> is this): newest first by (created, key), with a
    /// keyset cursor, so a page costs the same at the millionth conversation as at the first.
    /// </summary>
    public IReadOnlyList<ConversationSummary> PageConversations(int limit = 50, ConversationFilter? filter = null, (string Created, string Id)? before = null)
        => Reading(() => catalogue.Conversations.PageConversations(limit, filter, before));

    public ConversationSummary? GetSummary(string conversationId) => Reading(() => catalogue.Conversations.GetSummary(conversationId));

    /// <summary>Instances (root-to-leaf paths), newest conversations first.</summary>
    public IReadOnlyList<InstanceSummary> ListInstances(int limit = 50, string? conversationId = null) => Reading(() => catalogue.Conversations.ListInstances(limit, conversationId));

    /// <summary>
    /// The whole conversation: summary, record, every node as a tree, instances, raw blob ids and the model
    /// references its nodes name, all from one state of the index.
    /// </summary>
    public ConversationView? GetConversation(string conversationId) => Reading(() => catalogue.Conversations.GetConversation(conversationId));

    /// <summary>A conversation's stored record (the newest one written), without loading its tree. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public ConversationRecord? GetConversationRecord(string conversationId) => Reading(() => catalogue.Conversations.GetConversationRecord(conversationId));

    /// <summary>The conversations a node belongs to, in id order. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public IReadOnlyList<string> ConversationsOf(string nodeId) => Reading(() => catalogue.Conversations.ConversationsOf(nodeId));

    /// <summary>Every annotation about a conversation or any of its nodes, in one query, oldest first.</summary>
    public IReadOnlyList<Annotation> GetConversationAnnotations(string conversationId) => Reading(() => catalogue.Conversations.GetConversationAnnotations(conversationId));

    /// <summary>Resolves a full id or a unique prefix (with or without "sha256:") to a conversation or a node.</summary>
    public ResolvedId Resolve(string idOrPrefix) => Reading(() => catalogue.Content.Resolve(idOrPrefix));

    /// <summary>The node recorded under <paramref name="key"/> (a string in a node's <c>meta.keys</c>), or null.</summary>
    /// <remarks>
    /// Like <see cref="GetNode"/>, <see cref="GetConversationRecord"/> and <see cref="ConversationsOf"/> (the lookups a
    /// recorder makes before each commit), this does not wait for the indexer: it takes the catalogue's indexed view.
    /// </remarks>
    public string? FindNodeByKey(string key) => Reading(() => catalogue.Content.FindNodeByKey(key));

    /// <summary>The annotations about a node or conversation, oldest first.</summary>
    public IReadOnlyList<Annotation> GetAnnotations(string targetId) => Reading(() => catalogue.Content.GetAnnotations(targetId));

    /// <summary>
    /// The annotations of <paramref name="kind"/> as the signed log proves them, not as the index says: for decisions
    /// such as the do-not-revive gate. Throws <see cref="CorruptArchiveException"/> when the index disagrees with the log.
    /// </summary>
    public IReadOnlyList<Annotation> GetLoggedAnnotations(string kind) => Reading(() => LoggedAnnotations.OfKind(kind));

    /// <summary>Which of <paramref name="candidates"/> hold <paramref name="nodeId"/>, as commits that the signed log proves say.</summary>
    public IReadOnlySet<string> LoggedConversationsHolding(string nodeId, IReadOnlyCollection<string> candidates) => Reading(() => LoggedAnnotations.ConversationsHolding(nodeId, candidates));

    /// <summary>True if the archive holds a node with this id.</summary>
    public bool ContainsNode(string nodeId) => Reading(() => catalogue.Content.ContainsNode(nodeId));

    public bool ContainsBlob(string blobId) => Reading(() => catalogue.Content.ContainsBlob(blobId));

    public bool ContainsConversation(string conversationId) => Reading(() => catalogue.Content.ContainsConversation(conversationId));

    public bool ContainsModel(string modelId) => Reading(() => catalogue.Content.ContainsModel(modelId));

    /// <summary>One stored node. Does not wait for the indexer (see <see cref="FindNodeByKey"/>).</summary>
    public Node? GetNode(string nodeId) => Reading(() => catalogue.Content.GetNode(nodeId));

    public ModelReference? GetModel(string modelId) => Reading(() => catalogue.Content.GetModel(modelId));

    /// <summary>Reads a blob's bytes back and checks them against their id.</summary>
    public byte[]? GetBlob(string blobId) => Reading(() => catalogue.Content.GetBlob(blobId));

    /// <summary>The log entry (commit info bytes) at a 0-based index, or null.</summary>
    public byte[]? GetLogEntry(long index) => Reading(() => catalogue.Content.GetLogEntry(index));

    /// <summary>
    /// The receipt for an instance (its leaf node) or a conversation: the inclusion proof of the log entry that
    /// added the leaf to its conversation (for a conversation, of its latest commit), against the latest checkpoint.
    /// </summary>
    public Amber.Transparency.Receipts.TlogProof GetReceipt(string id)
    {
        RefreshLog();
        var (seq, entry) = Reading(() => catalogue.Content.ReceiptEntry(id, Resolve(id)));
        if (!IsReadOnly && Log.LatestCheckpointSize < seq)
        {
            EnsureCheckpointAsync().GetAwaiter().GetResult(); // the writer signs lazily; a receipt needs one now
        }

        return Log.Prove(seq - 1, entry);
    }

    public ArchiveStats GetStats() => Reading(() => catalogue.Dashboard.GetStats(GetIndexLag));

    internal T ReadCatalogue<T>(Func<Catalogue.ArchiveCatalogue, T> read) => Reading(() => read(catalogue)); // ArchiveTenants

    /// <summary>
    /// The dashboard's series. Each is one scan of a table (conversations, commits, raw blobs), so callers
    /// should cache the result by <see cref="ArchiveDashboard.LastSequence"/> on large archives.
    /// </summary>
    public ArchiveDashboard GetDashboard() => Reading(() => catalogue.Dashboard.GetDashboard());

    /// <summary>Tokens, turns and node bytes per tenant, model and month (one scan of the nodes), and the archive's size: what <c>amber cost</c> prices.</summary>
    public ArchiveUsage GetUsage() => catalogue.Dashboard.GetUsage();

    /// <summary>The highest commit sequence number (0 for an empty archive): changes whenever anything is committed.</summary>
    public long GetLastSequence() => Reading(() => catalogue.Dashboard.GetLastSequence());

    /// <summary>The distinct display names of the stored models (what the model filter of a listing matches), sorted.</summary>
    public IReadOnlyList<string> ListModelNames() => Reading(() => catalogue.Dashboard.ListModelNames());

    /// <summary>Every stored model reference with its number of generated nodes, most used first.</summary>
    public IReadOnlyList<ModelSummary> ListModels() => Reading(() => catalogue.Dashboard.ListModels());

    /// <summary>
    /// Messages whose text holds every word (or "quoted phrase") of <paramref name="query"/>, best match first or, with
    /// <see cref="SearchOrder.Newest"/>, most recently archived first. Each hit's snippet is cut from the message as
    /// the segments hold it (the index keeps no copy of the text), with the matches between <paramref name="open"/> and
    /// <paramref name="close"/>, so a caller can pick markers that cannot occur in text and encode the rest. Only the
    /// best <paramref name="limit"/> messages are read, so a common word stays fast. A message in several conversations
    /// gives a hit for each (the first <paramref name="limit"/> hits in all).
    /// </summary>
    public IReadOnlyList<SearchHit> Search(string query, int limit = 50, SearchOrder order = SearchOrder.Rank, string open = "«", string close = "»", int snippetTokens = 24)
        => Reading(() => catalogue.FullText.Search(query, limit, order, open, close, snippetTokens));
}
