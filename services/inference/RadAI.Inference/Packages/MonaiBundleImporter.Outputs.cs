using System.Globalization;
using System.Text.Json;

namespace RadAI.Inference.Packages;

public static partial class MonaiBundleImporter
{
    /// <summary>The network's outputs: segmentations (labels and their SEG codes) and class scores.</summary>
    private sealed partial class BundleAnalysis
    {
        private (ModelOutput Output, OutputActivation Activation, bool Spatial)? MapOutput(
            ConfigReader meta, string key, JsonElement spec, string path, OnnxTensorInfo? onnx, int inputRank,
            OutputPostprocessing? post, bool postprocessingKnown, List<string> unmapped, HashSet<string> usedLabelOptions, string onnxName)
        {
            var type = meta.Text(spec, "type", $"{path}.type");
            var format = meta.Text(spec, "format", $"{path}.format");
            var channels = meta.Number(spec, "num_channels", $"{path}.num_channels");
            var dtype = meta.Text(spec, "dtype", $"{path}.dtype");
            if (dtype is not (null or "float32" or "float"))
            {
                meta.Refuse($"{path}.dtype", $"'{dtype}': RadAI reads float32 outputs");
            }

            if (onnx is not null && onnx.ElementType != OnnxTensorInfo.Float)
            {
                _reasons.Add($"{onnxName}: output '{onnx.Name}' is not float32 (ONNX type {onnx.ElementType})");
            }

            var spatial = onnx?.Rank is { } rank ? rank >= 3 : type == "image";
            if (onnx?.Rank is { } outputRank && outputRank >= 3 && outputRank != inputRank)
            {
                _reasons.Add($"{onnxName}: output '{onnx.Name}' has {outputRank} dimensions, neither a map like the input ({inputRank}) nor a vector");
                return null;
            }

            if (channels is not { } count || count < 1 || count != Math.Floor(count))
            {
                meta.Refuse($"{path}.num_channels", channels is null ? "missing" : $"{F(channels.Value)}: not a channel count");
                return null;
            }

            var channelCount = (int)count;
            if (onnx?.Dims is { Count: >= 2 } onnxDims && onnxDims[1] is { } onnxChannels && onnxChannels != channelCount)
            {
                _reasons.Add($"{onnxName}: output '{onnx.Name}' has {onnxChannels} channels; the metadata says {channelCount}");
            }

            var names = ChannelNames(meta, spec, path, channelCount);
            if (spatial)
            {
                if (format is not ("segmentation" or "labels" or "classes"))
                {
                    meta.Refuse($"{path}.format", $"{(format is null ? "missing" : $"'{format}'")}: RadAI reads spatial outputs as segmentations ('segmentation', 'labels' or 'classes')");
                    return null;
                }

                return names is null ? null : Segmentation(key, path, names, post ?? new OutputPostprocessing(), postprocessingKnown, unmapped, usedLabelOptions);
            }

            if (format is not ("classification" or "labels" or "classes" or "probabilities") && type != "probabilities")
            {
                meta.Refuse($"{path}.format", $"{(format is null ? "missing" : $"'{format}'")}: RadAI reads vector outputs as class scores");
                return null;
            }

            if (names is null)
            {
                meta.Refuse($"{path}.channel_def", "classification output without class names");
                return null;
            }

            if (!postprocessingKnown)
            {
                meta.Refuse(path, $"class scores, and without {InferenceFile} whether they are logits or probabilities is unknown");
                return null;
            }

            var activation = post?.Activation ?? OutputActivation.None;
            _mapping.Add($"Output '{key}': classes {string.Join(", ", names)}{(activation == OutputActivation.None ? "" : $", {activation.ToString().ToLowerInvariant()} applied by the adapter")} → classification");
            return (new ModelOutput { Name = key, Kind = "classification", Classes = names }, activation, false);
        }

        private List<string>? ChannelNames(ConfigReader meta, JsonElement spec, string path, int channels)
        {
            if (meta.Get(spec, "channel_def", $"{path}.channel_def") is not { ValueKind: JsonValueKind.Object } def)
            {
                meta.Refuse($"{path}.channel_def", "missing: what each channel means is unknown");
                return null;
            }

            var names = new List<string>();
            for (var c = 0; c < channels; c++)
            {
                if (!def.TryGetProperty(c.ToString(CultureInfo.InvariantCulture), out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Trim().Length == 0)
                {
                    meta.Refuse($"{path}.channel_def", $"no name for channel {c} of {channels}");
                    return null;
                }

                names.Add(name.GetString()!.Trim());
            }

            return names;
        }

        private (ModelOutput, OutputActivation, bool)? Segmentation(
            string key, string path, List<string> names, OutputPostprocessing post, bool postprocessingKnown, List<string> unmapped, HashSet<string> usedLabelOptions)
        {
            var backgroundFirst = names.Count > 1 && SegmentationPropertyCodes.Normalize(names[0]) is "background" or "bg";
            bool argmax;
            double? threshold = null;
            if (post.Argmax || (!postprocessingKnown && backgroundFirst) || (postprocessingKnown && post.Threshold is null && backgroundFirst && post.Activation != OutputActivation.Sigmoid))
            {
                if (!backgroundFirst)
                {
                    _reasons.Add($"{MetadataFile} {path}.channel_def: the argmax is taken over channels and channel 0 is '{names[0]}'; RadAI reads channel 0 as background");
                    return null;
                }

                argmax = true;
            }
            else if (post.Threshold is { } value || (postprocessingKnown && post.Activation == OutputActivation.Sigmoid))
            {
                argmax = false;
                threshold = post.Threshold ?? 0.5;
                if (names.Count > 1)
                {
                    _limitations.Add($"Output '{key}': channels are thresholded one by one and may overlap; where they do, RadAI keeps the last channel");
                }
            }
            else
            {
                _reasons.Add($"{(postprocessingKnown ? InferenceFile + " $.postprocessing" : MetadataFile + " " + path)}: output '{key}' is neither reduced by argmax (channel 0 background) nor thresholded (sigmoid), so how to read labels from it is unknown");
                return null;
            }

            var first = argmax ? 1 : 0;
            if (names.Count - first > 255)
            {
                _reasons.Add($"{MetadataFile} {path}.channel_def: {names.Count - first} labels; a RadAI label map holds 255");
                return null;
            }

            var labels = new List<SegmentLabel>();
            for (var c = first; c < names.Count; c++)
            {
                var value = argmax ? c : c + 1;
                var display = Humanize(names[c]);
                var codes = ResolveLabel(names[c], usedLabelOptions, out var refused);
                if (codes is not null)
                {
                    var (category, type) = codes.Value;
                    labels.Add(new SegmentLabel(value, display, category, type));
                    _mapping.Add($"Output '{key}' channel {c} '{names[c]}' → label {value} {display}: {type.Scheme} {type.Value} \"{type.Meaning}\" ({category.Meaning})");
                }
                else if (!refused)
                {
                    unmapped.Add(names[c]);
                }
            }

            if (post.KeepsLargestComponent)
            {
                _limitations.Add($"Output '{key}': the bundle keeps only the largest connected component of each label; RadAI keeps every component");
            }

            var activation = post.Activation;
            _mapping.Add($"Output '{key}': {(argmax ? "argmax over channels (channel 0 background)" : $"threshold {F(threshold!.Value)}")}{(activation == OutputActivation.None ? "" : $" after a {activation.ToString().ToLowerInvariant()} added by the adapter")} → segmentation");
            var output = new ModelOutput
            {
                Name = key,
                Kind = "segmentation",
                Labels = labels,
                Postprocess = new Postprocess { Argmax = argmax, Threshold = threshold },
            };
            return (output, activation, true);
        }

        /// <summary>
        /// The codes of a label: given with --label, else found in the DICOM segmentation type groups; null when
        /// unknown, or when what was given is refused (<paramref name="refused"/>, the reason is listed).
        /// </summary>
        private (CodeRef Category, CodeRef Type)? ResolveLabel(string channelName, HashSet<string> usedLabelOptions, out bool refused)
        {
            refused = true;
            var key = SegmentationPropertyCodes.Normalize(channelName);
            var given = options.Labels.FirstOrDefault(l => SegmentationPropertyCodes.Normalize(l.Key) == key).Value;
            var category = options.LabelCategories.FirstOrDefault(l => SegmentationPropertyCodes.Normalize(l.Key) == key).Value;
            if (given is null)
            {
                if (category is not null)
                {
                    usedLabelOptions.Add(key);
                    _reasons.Add($"--label-category {channelName}: a category without --label {channelName}=SCHEME:VALUE:Meaning");
                    return null;
                }

                refused = false;
                return SegmentationPropertyCodes.TryFind(channelName, out var foundCategory, out var foundType) ? (foundCategory, foundType) : null;
            }

            usedLabelOptions.Add(key);
            var known = SegmentationPropertyCodes.Find(given.Scheme, given.Value);
            if (known.Count > 0 && !string.Equals(known[0].Type.Meaning, given.Meaning, StringComparison.OrdinalIgnoreCase))
            {
                _reasons.Add($"--label {channelName}: {given.Scheme} {given.Value} is \"{known[0].Type.Meaning}\" in the DICOM tables, not \"{given.Meaning}\"");
                return null;
            }

            if (category is not null)
            {
                refused = false;
                return (category, given);
            }

            if (known.Count == 1)
            {
                refused = false;
                return (known[0].Category, given with { Meaning = known[0].Type.Meaning });
            }

            _reasons.Add(known.Count == 0
                ? $"--label {channelName}: {given.Scheme} {given.Value} is in no DICOM segmentation type group, so its category is unknown; give it with --label-category \"{channelName}=SCT:<code>:<meaning>\" (CID 7150)"
                : $"--label {channelName}: {given.Scheme} {given.Value} belongs to several categories ({string.Join(", ", known.Select(k => k.Category.Meaning))}); choose one with --label-category");
            return null;
        }
    }
}
