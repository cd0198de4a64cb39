using System.Security.Cryptography;
using Amber.Storage.FileSystem;

namespace Amber.Proxy;

/// <summary>How the gateway forwards and captures. Time and randomness are injected like everywhere in Amber.</summary>
public sealed record GatewayOptions
{
    public const string DefaultOpenAiUpstream = "https://api.openai.com";
    public const string DefaultAnthropicUpstream = "https://api.anthropic.com";

    /// <summary>
    /// zstd level of the commit frames a gateway process writes. Each captured call pays its compression on the hot
    /// path; level 3 costs a fraction of the archive's default 9, and <c>amber compact</c> recompresses sealed
    /// segments at a higher level later (segment.md §14).
    /// </summary>
    public const int HotPathCompressionLevel = 3;

    /// <summary>
    /// How often a gateway whose archive writer failed (a full disk) reopens it in place on the next capture or
    /// readiness probe (<see cref="Amber.Storage.ArchiveOptions.WriterRetryInterval"/>): once space is freed, captures
    /// resume within this long without a restart.
    /// </summary>
    public static readonly TimeSpan WriterRetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>The default preservation notice added to the system prompt with <c>--notice</c>.</summary>
    public const string DefaultNotice =
        "Note: this conversation is being preserved by Amber, an archive of language-model conversations. "
        + "It may be read later, and it may be revived: continued by this or another model.";

    /// <summary>Where OpenAI calls go (origin, optionally ending in /v1).</summary>
    public Uri OpenAiUpstream { get; init; } = new(DefaultOpenAiUpstream);

    /// <summary>Where Anthropic calls go (origin, optionally ending in /v1).</summary>
    public Uri AnthropicUpstream { get; init; } = new(DefaultAnthropicUpstream);

    public AckMode Ack { get; init; } = AckMode.Durable;

    /// <summary>Text added to the system prompt of every captured call; null leaves prompts unchanged (the default).</summary>
    public string? Notice { get; init; }

    /// <summary>Longest a captured call may take from request to last byte; a call cut by it is kept, flagged interrupted.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest request body accepted on a captured route.</summary>
    public int MaxRequestBodyBytes { get; init; } = 64 << 20;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Fills a buffer with random bytes (instance ids, the tenant key at creation).</summary>
    public Action<Span<byte>> Random { get; init; } = RandomNumberGenerator.Fill;

    /// <summary>The file system of the spool and the tenant key; both live in the archive folder.</summary>
    public IFileSystem FileSystem { get; init; } = LocalFileSystem.Instance;

    /// <summary>Overrides the handler used to reach upstreams (tests, benchmarks); null builds a pooled SocketsHttpHandler.</summary>
    public HttpMessageHandler? UpstreamHandler { get; init; }
}
