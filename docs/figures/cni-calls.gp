# CNI ADD, CHECK and DEL, medians: ours (bridge + node-local), the reference
# (bridge + host-local) and the kernel floor (bench/cni/floor.c: the same
# kernel work, nothing else; no CHECK). Sequential, then PAR at a time.
# The caption is the data's header (bench/data.sh).
# data: data/cni-calls.tsv
# size: 640,460
set datafile separator "\t"
set datafile missing "-"
set title "CNI calls: ours, the reference and the kernel floor (median)" font ",13" offset 0,1.2
set ylabel "ms per call, spawn to exit"
set logscale y
set format y "%g"
set yrange [0.1:*]
set autoscale yfixmax
set offsets 0, 0, graph 0.08, 0
set grid ytics mytics lc rgb "#e4e4e4" lt 1
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.95
set xtics nomirror scale 0
set tmargin 4.5
set key horizontal center top at graph 0.5, screen 0.915 samplen 2 width -2 maxrows 1
set bmargin 10.5
# the "what" line is too long for one line: broken after its first "; "
cut = strstrt(data_what, "; ")
what = cut ? data_what[1:cut]."\n".data_what[cut + 2:] : data_what
set label 1 what at screen 0.015, screen 0.15 font ",9" noenhanced
set label 2 "measured ".data_date." on ".data_machine at screen 0.015, screen 0.09 font ",9" noenhanced
set label 3 "load ".word(data_load, 1)." at the start: a machine shared with other jobs, so times are upper bounds" \
	at screen 0.015, screen 0.06 font ",9" noenhanced
set label 4 "command: ".data_command at screen 0.015, screen 0.03 font ",9" noenhanced
name(c, par) = c.(par == 1 ? "\nsequential" : sprintf("\n%d at a time", par))
val(x) = x != x ? "" : sprintf(x < 10 ? "%.2f" : "%.0f", x)
plot "data/cni-calls.tsv" using 4:xtic(name(strcol(1), column(2))) lc rgb "#1f5fa8" title "ours", \
     "" using 6 lc rgb "#c4501b" title "reference", \
     "" using 8 lc rgb "#9a9a9a" title "kernel floor", \
     "" using ($0 - 0.25):4:(val($4)) with labels offset 0,0.6 font ",8" notitle, \
     "" using ($0):6:(val($6)) with labels offset 0,0.6 font ",8" notitle, \
     "" using ($0 + 0.25):8:(val($8)) with labels offset 0,0.6 font ",8" notitle
