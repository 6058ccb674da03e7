#include "commands.hpp"

#include <algorithm>
#include <iostream>
#include <map>

#include <spdlog/spdlog.h>

#include "streamstore/tools/kafka.hpp"

namespace streamstore::dlq {

Commands add_options(CLI::App& app, Options& o) {
    tools::add_tool_options(app, o.common);
    app.require_subcommand(1);
    app.fallthrough();  // the shared flags may also come after the subcommand

    auto add_topic = [&o](CLI::App& command) {
        command.add_option("-t,--topic", o.topic, "Dead letter topic")
            ->envname("STREAMSTORE_DLQ_TOPIC")
            ->capture_default_str();
    };

    CLI::App* list = app.add_subcommand("list", "One line per dead letter: where it came from, why, its size");
    add_topic(*list);
    list->add_option("-n,--limit", o.limit, "Show the first N (in partition, offset order); 0 = all")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    list->add_flag("--json", o.json, "JSON lines instead of text");

    CLI::App* replay = app.add_subcommand(
        "replay", "Re-publish dead letters' payloads (key kept) to their original topic, or --to");
    add_topic(*replay);
    replay->add_option("--error-class", o.selection.error_classes,
                       "Only dead letters with this dlq.error.class (repeatable: any of them)")
        ->type_name("CLASS")
        ->delimiter(',');
    replay->add_option_function<std::string>(
              "--offsets",
              [&o](const std::string& text) {
                  std::string error;
                  o.selection.positions = *parse_positions(text, error);
              },
              "Only these dead letters, by their partition:offset in the dead letter topic")
        ->type_name("P:O[,P:O...]")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                std::string error;
                return parse_positions(text, error) ? "" : error;
            },
            ""));
    replay->add_option("--to", o.to, "Publish to this topic instead of each dead letter's dlq.original.topic")
        ->type_name("TOPIC");
    replay->add_flag("--dry-run", o.dry_run, "Say what would be replayed; send nothing");
    return {list, replay};
}

int run_list(const Options& options) {
    const tools::Deadline deadline(options.common.timeout);
    std::vector<DeadLetter> letters;
    const auto result = tools::read_topic(options.common.client_config("streamstore-dlq"), options.topic,
                                          tools::Isolation::read_committed, deadline,
                                          [&](const tools::Record& r) { letters.push_back(to_dead_letter(r, false)); });
    if (!result.topic_exists) throw tools::ToolError("topic '" + options.topic + "' does not exist (check --topic)");
    std::sort(letters.begin(), letters.end(),
              [](const DeadLetter& a, const DeadLetter& b) { return a.position < b.position; });
    const std::size_t shown =
        options.limit == 0 ? letters.size() : std::min<std::size_t>(letters.size(), options.limit);
    for (std::size_t i = 0; i < shown; ++i) {
        std::cout << (options.json ? to_json_line(options.topic, letters[i])
                                   : format_list_line(options.topic, letters[i]))
                  << '\n';
    }
    std::cout << std::flush;
    spdlog::info("{} dead letters in {}, {} shown", letters.size(), options.topic, shown);
    return tools::kExitOk;
}

int run_replay(const Options& options) {
    const messaging::ClientConfig client = options.common.client_config("streamstore-dlq");
    const tools::Deadline deadline(options.common.timeout);
    const std::string& topic = options.topic;

    std::vector<DeadLetter> selected;
    const auto result = tools::read_topic(client, topic, tools::Isolation::read_committed, deadline,
                                          [&](const tools::Record& r) {
                                              DeadLetter letter = to_dead_letter(r, true);
                                              if (options.selection.selects(letter)) selected.push_back(std::move(letter));
                                          });
    if (!result.topic_exists) throw tools::ToolError("topic '" + topic + "' does not exist (check --topic)");
    std::sort(selected.begin(), selected.end(),
              [](const DeadLetter& a, const DeadLetter& b) { return a.position < b.position; });

    ReplaySummary summary;
    summary.dry_run = options.dry_run;
    for (const tools::Position& wanted : options.selection.positions) {
        const bool found = std::any_of(selected.begin(), selected.end(),
                                       [&](const DeadLetter& l) { return l.position == wanted; });
        if (!found) {
            std::cout << "skip " << tools::format_position(topic, wanted)
                      << ": not in the topic (or not of the selected --error-class)\n";
            ++summary.skipped;
        }
    }

    // Plan each; send the replayable ones in one batch.
    std::vector<tools::OutgoingRecord> batch;
    std::vector<const DeadLetter*> sent;
    const std::map<std::string, int> topics = options.dry_run ? std::map<std::string, int>{}
                                                              : tools::list_topics(client, deadline);
    for (const DeadLetter& letter : selected) {
        const std::string name = tools::format_position(topic, letter.position);
        const ReplayPlan plan = plan_replay(letter, options.to);
        if (!plan.replay) {
            std::cout << "skip " << name << ": " << plan.reason << '\n';
            ++summary.skipped;
        } else if (options.dry_run) {
            std::cout << "would replay " << name << " -> " << plan.destination << " (" << letter.payload_bytes
                      << " bytes)\n";
            ++summary.replayed;
        } else if (!topics.contains(plan.destination)) {
            // Producing would make a broker with auto.create.topics.enable create it: refuse.
            std::cout << "failed " << name << " -> " << plan.destination << ": the topic does not exist\n";
            ++summary.failed;
        } else {
            batch.push_back(replay_record(topic, letter, plan.destination));
            sent.push_back(&letter);
        }
    }
    const std::vector<tools::DeliveryOutcome> outcomes = tools::send_all(client, batch, deadline);
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const std::string name = tools::format_position(topic, sent[i]->position);
        if (outcomes[i].delivered) {
            std::cout << "replayed " << name << " -> " << tools::format_position(batch[i].topic, outcomes[i].position)
                      << '\n';
            ++summary.replayed;
        } else {
            std::cout << "failed " << name << " -> " << batch[i].topic << ": " << outcomes[i].error << '\n';
            ++summary.failed;
        }
    }
    std::cout << format_summary(summary) << '\n' << std::flush;
    return summary.failed == 0 ? tools::kExitOk : tools::kExitFailure;
}

}  // namespace streamstore::dlq
