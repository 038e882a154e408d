# SPDX-License-Identifier: MIT
# bash completion for vocana(1). The subcommands and options are those of 'vocana COMMAND --help'
# (tests/install/check_manual.py checks that every one is here).
# shellcheck shell=bash

_vocana()
{
	local cur prev words cword
	_init_completion || return

	local commands="denoise model bench service mic status monitor set enable disable install-service help"
	if ((cword == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version -h -V" -- "$cur")
		return
	fi

	local cmd=${words[1]} opts=""
	case $cmd in
	denoise)
		case $prev in
		-s | --strength | --rate | --channels) return ;;
		-m | --model) _filedir vcm; return ;;
		--raw-format) mapfile -t COMPREPLY < <(compgen -W "f32le s16le" -- "$cur"); return ;;
		esac
		opts="--strength --model --quiet --raw-format --rate --channels --help -s -m -q -h"
		;;
	model)
		if ((cword == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "info" -- "$cur")
		else
			_filedir vcm
		fi
		return
		;;
	bench)
		case $prev in
		--config | --baseline | --save-baseline) _filedir; return ;;
		--regress-ratio) return ;;
		esac
		opts="--json --quick --config --baseline --save-baseline --regress-ratio --help -h"
		if [[ $cur != -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "core model pipeline load all" -- "$cur")
			return
		fi
		;;
	service | mic)
		case $prev in
		--speaker-output)
			local sinks
			sinks=$(pactl list sinks short 2>/dev/null | awk '{print $2}')
			mapfile -t COMPREPLY < <(compgen -W "$sinks" -- "$cur")
			return
			;;
		--metrics-token-file) _filedir; return ;;
		-i | --input)
			local nodes
			nodes=$(pactl list sources short 2>/dev/null | awk '{print $2}')
			mapfile -t COMPREPLY < <(compgen -W "$nodes" -- "$cur")
			return
			;;
		-m | --mode) mapfile -t COMPREPLY < <(compgen -W "inline worker" -- "$cur"); return ;;
		--model) _filedir vcm; return ;;
		--metrics-token-file) _filedir; return ;;
		-s | --strength | --node-name | --description | --metrics-port | --speaker-channels) return ;;
		esac
		opts="--input --mode --model --strength --disabled --node-name --description --metrics-port
			--metrics-token-file --speaker --no-speaker --no-mic --speaker-output --speaker-channels
			--speaker-separate-channels
			--verbose --help -i -m -s -v -h"
		;;
	status) opts="--raw --help -h" ;;
	monitor)
		case $prev in
		--socket | --config) _filedir; return ;;
		--interval) return ;;
		esac
		opts="--json --once --interval --socket --config --help -h"
		;;
	set)
		if ((cword == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "strength speaker.strength input speaker.output --help" -- "$cur")
		fi
		return
		;;
	enable | disable)
		if ((cword == 2)) && [[ $cur != -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "mic speaker" -- "$cur")
			return
		fi
		opts="--help -h"
		;;
	install-service) opts="--no-enable --print --build-tree --help -h" ;;
	*) return ;;
	esac
	if [[ $cmd == denoise && $cur != -* ]]; then
		_filedir
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
}
complete -F _vocana vocana
