# SPDX-License-Identifier: MIT
# fish completion for vocana(1). The subcommands and options are those of 'vocana COMMAND --help'
# (tests/install/check_manual.py checks that every one is here).

set -l commands denoise model bench service mic status monitor set enable disable install-service help
complete -c vocana -f
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -s h -l help -d 'Show the help'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -s V -l version -d 'Show the version'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a denoise -d 'Remove background noise from an audio file'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a model -d 'Show a model file'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a bench -d 'Run benchmarks'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a service -d 'Run the Vocana Microphone and Speaker'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a mic -d 'Run the Vocana service (older name)'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a status -d 'Show the running microphone service'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a monitor -d 'Live view of the running service'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a set -d 'Change the suppression strength'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a enable -d 'Denoise again'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a disable -d 'Pass the microphone through'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a install-service -d 'Install and start the systemd user unit'
complete -c vocana -n "not __fish_seen_subcommand_from $commands" -a help -d 'Show the help'

# Every subcommand has -h/--help.
complete -c vocana -n "__fish_seen_subcommand_from $commands" -s h -l help -d 'Show the help'

# denoise IN OUT
complete -c vocana -n '__fish_seen_subcommand_from denoise' -F
complete -c vocana -n '__fish_seen_subcommand_from denoise' -s s -l strength -x -d 'Strength 0-100'
complete -c vocana -n '__fish_seen_subcommand_from denoise' -s m -l model -r -F -d 'Model file'
complete -c vocana -n '__fish_seen_subcommand_from denoise' -s q -l quiet -d 'Only errors'
complete -c vocana -n '__fish_seen_subcommand_from denoise' -l raw-format -x -a 'f32le s16le' -d 'Sample format of raw streams'
complete -c vocana -n '__fish_seen_subcommand_from denoise' -l rate -x -d 'Sample rate of raw input'
complete -c vocana -n '__fish_seen_subcommand_from denoise' -l channels -x -d 'Channel count of raw input'

# model info [FILE]
complete -c vocana -n '__fish_seen_subcommand_from model; and not __fish_seen_subcommand_from info' -a info -d 'Describe a model'
complete -c vocana -n '__fish_seen_subcommand_from info' -F

# bench GROUP
complete -c vocana -n '__fish_seen_subcommand_from bench' -a 'core model pipeline load all'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l json -d 'One JSON document'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l quick -d 'Short runs'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l config -r -F -d 'Targets from this file'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l baseline -r -F -d 'Compare with an earlier run'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l save-baseline -r -F -d 'Save this run'
complete -c vocana -n '__fish_seen_subcommand_from bench' -l regress-ratio -x -d 'Regression ratio'

# mic
complete -c vocana -n '__fish_seen_subcommand_from service mic' -s i -l input -x -a '(pactl list sources short 2>/dev/null | awk \'{print $2}\')' -d 'Capture this node'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -s m -l mode -x -a 'inline worker' -d 'Engine mode'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l model -r -F -d 'Model file'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -s s -l strength -x -d 'Strength for this run'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l disabled -d 'Start in bypass'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l node-name -x -d 'node.name of the source'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l description -x -d 'The name apps show'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l metrics-port -x -d 'Serve Prometheus metrics'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l metrics-token-file -r -F -d 'Require this bearer token for /metrics'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l speaker -d 'Publish the Vocana Speaker'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l no-speaker -d 'Do not publish the Vocana Speaker'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l no-mic -d 'Do not publish the Vocana Microphone'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l speaker-output -x -a '(pactl list sinks short 2>/dev/null | awk \'{print $2}\')' -d 'Sink the speaker plays into'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l speaker-channels -x -d 'Channels of the speaker'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -l speaker-separate-channels -d 'One network per speaker channel'
complete -c vocana -n '__fish_seen_subcommand_from enable disable' -x -a 'mic speaker'
complete -c vocana -n '__fish_seen_subcommand_from service mic' -s v -l verbose -d 'Log every device change'

# status, monitor
complete -c vocana -n '__fish_seen_subcommand_from status' -l raw -d 'key=value lines'
complete -c vocana -n '__fish_seen_subcommand_from monitor' -l json -d 'JSON Lines'
complete -c vocana -n '__fish_seen_subcommand_from monitor' -l once -d 'One sample, then exit'
complete -c vocana -n '__fish_seen_subcommand_from monitor' -l interval -x -d 'Refresh interval (ms)'
complete -c vocana -n '__fish_seen_subcommand_from monitor' -l socket -r -F -d 'Control socket'
complete -c vocana -n '__fish_seen_subcommand_from monitor' -l config -r -F -d 'Settings file with target overrides'

# set strength N
complete -c vocana -n '__fish_seen_subcommand_from set; and not __fish_seen_subcommand_from strength' -a strength -d 'Suppression strength 0-100'

# install-service
complete -c vocana -n '__fish_seen_subcommand_from install-service' -l no-enable -d 'Only write the unit'
complete -c vocana -n '__fish_seen_subcommand_from install-service' -l print -d 'Print the unit'
complete -c vocana -n '__fish_seen_subcommand_from install-service' -l build-tree -d "Run this build tree's vocana"
