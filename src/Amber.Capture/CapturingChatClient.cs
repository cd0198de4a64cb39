using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amber.Core.Model;
using Microsoft.Extensions.AI;

namespace Amber.Capture;

/// <summary>
/// Microsoft.Extensions.AI middleware that records every call of the inner client through the
/// <see cref="ConversationRecorder"/>, with the same tree stitching as the gateway (source <c>meai</c>).
/// A normal call returns only once its capture is durable. A streamed call is recorded when the stream
/// ends, in <c>finally</c>, so a stream the caller abandons, or that fails, is kept as far as it went,
/// its answer flagged interrupted.
/// </summary>
public sealed class CapturingChatClient : DelegatingChatClient
{
    /// <summary>The key of <see cref="ChatResponse.AdditionalProperties"/> that carries the instance id.</summary>
    public const string InstanceProperty = "amber_instance";

    private const string Source = "meai";
    private readonly ConversationRecorder recorder;
    private readonly CapturingChatClientOptions options;

    public CapturingChatClient(IChatClient innerClient, ConversationRecorder recorder, CapturingChatClientOptions? options = null)
        : base(innerClient)
    {
        this.recorder = recorder ?? throw new ArgumentNullException(nameof(recorder));
        this.options = options ?? new CapturingChatClientOptions();
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = messages.ToList();
        var call = new Call(this, request, options);
        ChatResponse? response = null;
        try
        {
            response = await base.GetResponseAsync(request, options, cancellationToken).ConfigureAwait(false);
            call.FirstTokenMs = call.ElapsedMs;
        }
        finally
        {
            // A failed call is kept too (its prompt and the error), but its own exception wins.
            var recording = call.RecordAsync(response, interrupted: response is null);
            if (response is null)
            {
                await Quietly(recording).ConfigureAwait(false);
            }
            else
            {
                await recording.ConfigureAwait(false);
            }
        }

        (response.AdditionalProperties ??= [])[InstanceProperty] = call.Instance;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = messages.ToList();
        var call = new Call(this, request, options);
        var updates = new List<ChatResponseUpdate>();
        var completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(request, options, cancellationToken).ConfigureAwait(false))
            {
                if (call.FirstTokenMs is null && update.Contents.Any(c => c is TextContent or FunctionCallContent or TextReasoningContent))
                {
                    call.FirstTokenMs = call.ElapsedMs;
                }

                updates.Add(update);
                yield return update;
            }

            completed = true;
        }
        finally
        {
            var recording = call.RecordAsync(updates.ToChatResponse(), interrupted: !completed);
            if (completed)
            {
                await recording.ConfigureAwait(false);
            }
            else
            {
                await Quietly(recording).ConfigureAwait(false);
            }
        }
    }

    private static async Task Quietly(Task recording)
    {
        try
        {
            await recording.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or ObjectDisposedException)
        {
            Trace.TraceWarning($"amber: could not record an interrupted call: {e.Message}");
        }
    }

    /// <summary>One call being captured: its request, start time and instance id.</summary>
    private sealed class Call(CapturingChatClient owner, IReadOnlyList<ChatMessage> request, ChatOptions? chatOptions)
    {
        private readonly long start = owner.options.TimeProvider.GetTimestamp();
        private readonly List<ReadOnlyMemory<byte>> blobs = [];

        public string Instance { get; } = NewInstanceId(owner.options.Random);

        public long? FirstTokenMs { get; set; }

        public long ElapsedMs => (long)owner.options.TimeProvider.GetElapsedTime(start).TotalMilliseconds;

        public async Task RecordAsync(ChatResponse? response, bool interrupted)
        {
            var total = ElapsedMs;
            var metadata = owner.GetService<ChatClientMetadata>();
            var model = new ModelReference
            {
                Provider = metadata?.ProviderName ?? owner.options.Provider,
                Requested = chatOptions?.ModelId ?? metadata?.DefaultModelId,
                Resolved = response?.ModelId,
            };
            var prompt = request.Select(ToNode).ToList();
            Node? answer = null;
            if (response is not null)
            {
                var content = response.Messages.SelectMany(m => m.Contents).Select(ToBlock).OfType<ContentBlock>().ToList();
                var flags = new List<string>();
                if (interrupted)
                {
                    flags.Add(NodeFlags.Interrupted);
                }

                if (content.Count == 0)
                {
                    flags.Add(NodeFlags.Empty);
                }

                var meta = new JsonObject { ["instance"] = Instance, ["source"] = Source };
                if (response.ResponseId is { } rid)
                {
                    meta["response_id"] = rid;
                }

                answer = new Node
                {
                    Role = "assistant",
                    Content = content,
                    Created = Amber.Core.Time.Timestamps.Format(owner.options.TimeProvider.GetUtcNow()),
                    Flags = flags,
                    Meta = meta,
                    Generation = new GenerationRecord
                    {
                        Model = model.Id,
                        Parameters = Parameters(chatOptions),
                        Seed = chatOptions?.Seed,
                        Usage = Usage(response.Usage),
                        FinishReason = response.FinishReason?.Value,
                        TimeToFirstTokenMs = FirstTokenMs,
                        TotalMs = total,
                    },
                };
            }

            var keys = new List<string> { "instance:" + Instance, Instance };
            if (response?.ResponseId is { } id)
            {
                keys.Add($"response:{Source}:{id}");
            }

            var raw = new JsonObject
            {
                ["type"] = "amber.meai-exchange/v1",
                ["instance"] = Instance,
                ["interrupted"] = interrupted,
                ["request"] = new JsonObject
                {
                    ["messages"] = Serialize(request),
                    ["options"] = Parameters(chatOptions),
                },
                ["response"] = response is null ? null : Serialize(response),
                ["total_ms"] = total,
            };
            await owner.recorder.RecordAsync(
                new CapturedExchange
                {
                    Source = Source,
                    Tenant = owner.options.Tenant,
                    Prompt = prompt,
                    Answer = answer,
                    Model = model,
                    Blobs = blobs,
                    Raw = JsonSerializer.SerializeToUtf8Bytes(raw),
                    ContinuesFrom = chatOptions?.ConversationId is { } conversation ? $"response:{Source}:{conversation}" : null,
                    AnswerKeys = keys,
                },
                CancellationToken.None).ConfigureAwait(false);
        }

        private Node ToNode(ChatMessage message)
        {
            var content = message.Contents.Select(ToBlock).OfType<ContentBlock>().ToList();
            return new Node { Role = message.Role.Value, Content = content, Flags = content.Count == 0 ? [NodeFlags.Empty] : [] };
        }

        private ContentBlock? ToBlock(AIContent content)
        {
            switch (content)
            {
                case TextContent t:
                    return t.Text.Length == 0 ? null : new TextBlock(t.Text);
                case TextReasoningContent r:
                    return new ThinkingBlock(r.Text ?? "", r.ProtectedData);
                case FunctionCallContent f:
                    return new ToolCallBlock(f.CallId, f.Name, f.Arguments is null ? null : JsonSerializer.SerializeToNode(f.Arguments, AIJsonUtilities.DefaultOptions));
                case FunctionResultContent f:
                    var result = f.Result switch
                    {
                        null => new List<ContentBlock>(),
                        string s => [new TextBlock(s)],
                        _ => [new TextBlock(JsonSerializer.Serialize(f.Result, AIJsonUtilities.DefaultOptions))],
                    };
                    return new ToolResultBlock(f.CallId, result, f.Exception is not null);
                case DataContent d:
                    var bytes = d.Data.ToArray();
                    blobs.Add(bytes);
                    var kind = d.MediaType.Split('/')[0] is "image" or "audio" or "video" ? d.MediaType.Split('/')[0] : "file";
                    return new BlobBlock(kind, Amber.Core.Hashing.ContentId.Of(bytes), d.MediaType, d.Name, bytes.Length);
                case UsageContent:
                    return null;
                default:
                    return new OpaqueBlock(Source, content.GetType().Name, Serialize(content));
            }
        }
    }

    private static JsonObject? Parameters(ChatOptions? o)
    {
        if (o is null)
        {
            return null;
        }

        var p = new JsonObject();
        void Set(string name, JsonNode? value)
        {
            if (value is not null)
            {
                p[name] = value;
            }
        }

        Set("model", o.ModelId);
        Set("temperature", o.Temperature);
        Set("top_p", o.TopP);
        Set("top_k", o.TopK);
        Set("max_output_tokens", o.MaxOutputTokens);
        Set("frequency_penalty", o.FrequencyPenalty);
        Set("presence_penalty", o.PresencePenalty);
        Set("seed", o.Seed);
        Set("instructions", o.Instructions);
        Set("conversation_id", o.ConversationId);
        if (o.StopSequences is { Count: > 0 } stops)
        {
            p["stop"] = new JsonArray(stops.Select(s => (JsonNode?)s).ToArray());
        }

        if (o.Tools is { Count: > 0 } tools)
        {
            p["tools"] = new JsonArray(tools.Select(t => (JsonNode?)new JsonObject
            {
                ["name"] = t.Name,
                ["description"] = t.Description,
                ["schema"] = t is AIFunctionDeclaration f ? JsonNode.Parse(f.JsonSchema.GetRawText()) : null,
            }).ToArray());
        }

        if (o.ResponseFormat is { } format)
        {
            p["response_format"] = Serialize(format);
        }

        if (o.AdditionalProperties is { Count: > 0 } extra)
        {
            p["additional_properties"] = Serialize(extra);
        }

        return p;
    }

    private static JsonObject? Usage(UsageDetails? u)
    {
        if (u is null)
        {
            return null;
        }

        var o = new JsonObject();
        if (u.InputTokenCount is { } i)
        {
            o["input_tokens"] = i;
        }

        if (u.OutputTokenCount is { } output)
        {
            o["output_tokens"] = output;
        }

        if (u.TotalTokenCount is { } t)
        {
            o["total_tokens"] = t;
        }

        return o;
    }

    /// <summary>The JSON of an M.E.AI object (its own serializer options); a type it cannot serialize is named instead.</summary>
    private static JsonNode? Serialize<T>(T value)
    {
        try
        {
            return JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            return new JsonObject { ["unserializable"] = value?.GetType().FullName };
        }
    }

    private static string NewInstanceId(Action<Span<byte>> random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random(bytes);
        return "inst_" + Convert.ToHexStringLower(bytes);
    }
}
