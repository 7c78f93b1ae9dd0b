# Validation accuracy after one-shot pruning: edit and run `gnuplot accuracy-vs-ratio.gp` in this folder.
set title "Validation accuracy after one-shot pruning"
set xlabel "pruning ratio (fraction of weights or channels removed)"
set ylabel "top-1 accuracy"
set grid lc rgb '#d0d0d0'
set key above box horizontal maxcols 2
set border lw 1.5
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03
set yrange [0:1]
set style line 1 lc rgb '#1f77b4' lw 2 dt 1 pt 1 ps 1.2
set style line 2 lc rgb '#d62728' lw 2 dt 2 pt 2 ps 1.2
set terminal pngcairo size 800,600 font 'Sans,12' enhanced
set output 'accuracy-vs-ratio.png'
plot 'accuracy-vs-ratio.dat' index 0 using 1:2 with linespoints ls 1 title "teacher, channel", \
     'accuracy-vs-ratio.dat' index 1 using 1:2 with linespoints ls 2 title "teacher, channel+bn-recal"
set terminal svg size 800,600 font 'Sans,12' enhanced
set output 'accuracy-vs-ratio.svg'
replot
unset output
