using System.Security.Cryptography;

namespace Amber.Capture;

/// <summary>How <see cref="CapturingChatClient"/> records.</summary>
public sealed record CapturingChatClientOptions
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Fills a buffer with random bytes (instance ids).</summary>
    public Action<Span<byte>> Random { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>Separates trees per user, like the gateway's keyed credential hash; never a credential itself.</summary>
    public string? Tenant { get; init; }

    /// <summary>The provider named in model references when the inner client's metadata names none.</summary>
    public string Provider { get; init; } = "meai";
}
