using System.CommandLine;
using Amber.Core.Hosting;
using Amber.Proxy;

namespace Amber.Cli.Commands.Proxy;

/// <summary>The gateway options shared by <c>amber proxy</c> and <c>amber serve</c>: same names, same meaning.</summary>
internal sealed class GatewayCliOptions
{
    public Option<string> OpenAiUpstream { get; } = new("--openai-upstream")
    {
        Description = "Where OpenAI calls (/v1/chat/completions, /v1/responses, other /v1 paths) are forwarded",
        DefaultValueFactory = _ => GatewayOptions.DefaultOpenAiUpstream,
    };

    public Option<string> AnthropicUpstream { get; } = new("--anthropic-upstream")
    {
        Description = "Where Anthropic calls (/v1/messages, and requests with an anthropic-version header) are forwarded",
        DefaultValueFactory = _ => GatewayOptions.DefaultAnthropicUpstream,
    };

    public Option<string> Ack { get; } = new Option<string>("--ack")
    {
        Description = "durable: release the end of a response only once its capture is fsynced in the archive (default); async: once it is fsynced to the spool",
        DefaultValueFactory = _ => "durable",
    }.AcceptOnlyFromAmong("durable", "async");

    public Option<string?> Notice { get; } = new("--notice")
    {
        Description = "Add a preservation notice to each captured call's system prompt (the default text, or TEXT)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public IEnumerable<Option> All => [OpenAiUpstream, AnthropicUpstream, Ack, Notice];

    /// <summary>The gateway options a parse names; a malformed upstream URL is a <see cref="FormatException"/> naming the option.</summary>
    public GatewayOptions Read(ParseResult parse, Action<string> log)
    {
        string? notice = null;
        if (parse.GetResult(Notice) is { } given)
        {
            notice = given.Tokens.Count > 0 ? given.Tokens[0].Value : GatewayOptions.DefaultNotice;
        }

        return new GatewayOptions
        {
            OpenAiUpstream = Upstream(parse.GetValue(OpenAiUpstream)!, "--openai-upstream"),
            AnthropicUpstream = Upstream(parse.GetValue(AnthropicUpstream)!, "--anthropic-upstream"),
            Ack = parse.GetValue(Ack) == "async" ? AckMode.Async : AckMode.Durable,
            Notice = notice,
            Log = log,
        };
    }

    private static Uri Upstream(string value, string option)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"{option}: \"{UrlDisplay.Mask(value)}\" is not an http(s) URL (for example https://api.openai.com).");
}
