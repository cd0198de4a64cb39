using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Amber.Core.Hashing;
using Microsoft.Extensions.AI;

namespace Amber.Revive.LlamaSharp;

/// <summary>
/// A local model as a Microsoft.Extensions.AI chat client. Each response carries, in its additional
/// properties, the T2 generation record, the model reference and (with freeze) the state blob, which
/// the reviver records as they are.
/// </summary>
public sealed class LocalChatClient(LocalModel model, bool freeze = false, long defaultSeed = 0) : IChatClient
{
    public LocalModel Model => model;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var g = await model.GenerateAsync(model.PromptTokens(Project(messages)), SamplerOf(options), freeze, ct: cancellationToken).ConfigureAwait(false);
        return ToResponse(g);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<int>();
        var prompt = model.PromptTokens(Project(messages));
        var run = Task.Run(
            async () =>
            {
                try
                {
                    return await model.GenerateAsync(prompt, SamplerOf(options), freeze, t => channel.Writer.TryWrite(t), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            },
            cancellationToken);
        var tokens = new List<int>();
        var emitted = "";
        await foreach (var token in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            tokens.Add(token);
            var text = model.Detokenize(tokens);
            if (text.Length > emitted.Length && text.StartsWith(emitted, StringComparison.Ordinal) && !text.EndsWith('\uFFFD'))
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, text[emitted.Length..]) { ModelId = model.Name };
                emitted = text;
            }
        }

        var g = await run.ConfigureAwait(false);
        var final = ToResponse(g);
        if (final.Text.Length > emitted.Length)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, final.Text[emitted.Length..]) { ModelId = model.Name };
        }

        yield return new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = final.FinishReason, ModelId = model.Name, AdditionalProperties = final.AdditionalProperties, Contents = [new UsageContent(final.Usage!)] };
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this : null;

    public void Dispose()
    {
    }

    internal static IEnumerable<(string Role, string Content)> Project(IEnumerable<ChatMessage> messages)
        => messages.Select(m => (m.Role.Value, m.Text));

    internal SamplerSettings SamplerOf(ChatOptions? options) => new()
    {
        Temperature = options?.Temperature ?? 0f,
        TopK = options?.TopK ?? 40,
        TopP = options?.TopP ?? 0.95f,
        Seed = options?.Seed ?? defaultSeed,
        MaxTokens = options?.MaxOutputTokens ?? 256,
    };

    private ChatResponse ToResponse(LocalGeneration g)
    {
        string? stateId = g.State is null ? null : ContentId.Of(g.State);
        var record = g.ToRecord(model, stateId);
        var properties = new AdditionalPropertiesDictionary
        {
            [RevivalBackend.ModelProperty] = model.Reference.ToJson(),
            [RevivalBackend.GenerationProperty] = record.ToJson(),
        };
        if (g.State is not null)
        {
            properties[RevivalBackend.StateProperty] = g.State;
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, g.Text))
        {
            ModelId = model.Name,
            FinishReason = g.FinishReason == "stop" ? ChatFinishReason.Stop : ChatFinishReason.Length,
            Usage = new UsageDetails { InputTokenCount = g.PromptTokens.Count, OutputTokenCount = g.OutputTokens.Count, TotalTokenCount = g.PromptTokens.Count + g.OutputTokens.Count },
            AdditionalProperties = properties,
        };
    }
}
