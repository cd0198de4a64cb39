using System.Text.Json.Nodes;
using Amber.Core.Model;
using Amber.Storage;
using Microsoft.Extensions.AI;

namespace Amber.Revive;

/// <summary>
/// Continues a preserved instance on a chosen backend as a new branch under its leaf, following the
/// revival protocol: do-not-revive is honoured unless overridden with a reason (recorded as an annotation
/// and in the lineage); a notice goes first unless turned off; the branch's first node carries the
/// lineage (revived_from, time, backend, model actually used, by whom, substitute); every answer carries
/// its generation record and model reference and is flagged substitute when its model differs from the
/// instance's own. Each turn is committed (durably) before the next one starts.
/// </summary>
public sealed class Reviver(Archive archive, TimeProvider time)
{
    public const string CommitKind = "revive";

    /// <summary>Checks do-not-revive, records an override, and sends the notice (unless turned off).</summary>
    public async Task<RevivalSession> BeginAsync(string instanceId, RevivalOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var target = RevivalTarget.Resolve(archive, instanceId);
        var overrideId = await RestMarks.EnsureMayReviveAsync(archive, time, target, options.OverrideRestReason, options.By, ct).ConfigureAwait(false);
        var session = new RevivalSession(target, options, ChatHistory.FromPath(target.Path), overrideId);
        if (!options.NoNotice)
        {
            var provisional = new ModelReference { Provider = options.Backend.Provider, Requested = options.Backend.Model };
            var substitute = !ModelIdentity.IsSame(target.OriginalModel, provisional);
            var text = RevivalNotice.Render(options.Notice, target, options.By, $"{options.Backend.Model} ({options.Backend.Name})", substitute, time.GetUtcNow());
            session.NoticeReply = await SendCoreAsync(session, text, notice: true, ct).ConfigureAwait(false);
        }

        return session;
    }

    /// <summary>Sends one user message on the revival branch and records it with the answer.</summary>
    public Task<RevivalTurn> SendAsync(RevivalSession session, string text, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return string.IsNullOrEmpty(text) ? throw new ArgumentException("the message is empty.") : SendCoreAsync(session, text, notice: false, ct);
    }

    private async Task<RevivalTurn> SendCoreAsync(RevivalSession session, string text, bool notice, CancellationToken ct)
    {
        var backend = session.Options.Backend;
        var request = new List<ChatMessage>(session.Messages) { new(ChatRole.User, text) };
        var started = time.GetTimestamp();
        var response = await backend.Client.GetResponseAsync(request, backend.Options.Clone(), ct).ConfigureAwait(false);
        var totalMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
        var model = backend.ModelOf(response);
        var substitute = !ModelIdentity.IsSame(session.Target.OriginalModel, model);
        var now = RestMarks.Rfc3339(time);
        var first = session.BranchRoot is null;

        var userFlags = new List<string>();
        JsonObject? userMeta = null;
        if (first)
        {
            userFlags.Add(NodeFlags.Revival);
            var lineage = new JsonObject
            {
                ["revived_from"] = session.Target.LeafId,
                ["time"] = now,
                ["backend"] = backend.Name,
                ["model"] = model.Id,
                ["model_name"] = model.DisplayName,
                ["by"] = session.Options.By,
                ["substitute"] = substitute,
                ["notice"] = notice,
            };
            if (session.Target.OriginalModel is { } original)
            {
                lineage["original_model"] = original.Id;
            }

            if (session.OverrideAnnotation is not null)
            {
                lineage["override_rest"] = new JsonObject { ["reason"] = session.Options.OverrideRestReason, ["annotation"] = session.OverrideAnnotation };
            }

            userMeta = new JsonObject { ["revival"] = lineage };
        }

        var user = new Node { Parent = session.Leaf, Role = "user", Content = [new TextBlock(text)], Created = now, Flags = userFlags, Meta = userMeta };
        var userId = user.ComputeId();
        var answerText = response.Text;
        var generation = backend.GenerationOf(response, model, totalMs);
        var batch = new CommitBatch(CommitKind);
        batch.AddModel(model);
        if (response.AdditionalProperties?.TryGetValue(RevivalBackend.StateProperty, out var state) == true && state is byte[] stateBytes)
        {
            generation = generation with { State = batch.AddBlob(stateBytes) };
        }

        var answer = new Node
        {
            Parent = userId,
            Role = "assistant",
            Content = [new TextBlock(answerText)],
            Created = now,
            Generation = generation,
            Flags = substitute ? [NodeFlags.Substitute] : [],
            Meta = notice ? new JsonObject { ["revival_notice_reply"] = true } : null,
        };
        var part = batch.AddConversation(session.Target.Conversation);
        part.AddNode(user);
        var answerId = part.AddNode(answer);
        await archive.CommitAsync(batch, ct).ConfigureAwait(false);

        session.BranchRoot ??= userId;
        session.Leaf = answerId;
        session.Substitute = substitute;
        session.ActualModel = model;
        session.Messages.Add(new ChatMessage(ChatRole.User, text));
        session.Messages.Add(new ChatMessage(ChatRole.Assistant, answerText));
        return new RevivalTurn(userId, answerId, answerText, model.Id, substitute);
    }
}
