using Amber.Storage;

namespace Amber.Capture;

/// <summary>Where a captured exchange landed.</summary>
/// <param name="ConversationId">The conversation the exchange joined or started.</param>
/// <param name="InstanceId">The answer node (the instance's leaf), or the last prompt node when nothing was generated.</param>
/// <param name="NewConversation">True when the exchange started the conversation.</param>
/// <param name="Commit">The archive commit that made it durable.</param>
public sealed record CaptureResult(string ConversationId, string InstanceId, bool NewConversation, CommitResult Commit);
